import { html } from 'htm/preact';
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** The width a chart takes in its figure: the figure's inside, between 200 and 640 px. */
function widthIn(box: HTMLElement): number {
  const style = window.getComputedStyle(box);
  const inner = box.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return Math.max(200, Math.min(640, Math.floor(inner) || 480));
}

/** A line chart (uPlot) of `data` ([xs, ys]); redrawn when the data grows, resized with its box. */
export function LineChart({
  title,
  data,
  unit,
  color = '#2563eb',
  xTime = false,
}: {
  title: string;
  data: uPlot.AlignedData;
  unit: string;
  color?: string;
  xTime?: boolean;
}) {
  const box = useRef<HTMLElement>(null);
  const plot = useRef<uPlot>(null);
  useEffect(() => {
    const figure = box.current;
    if (!figure) return undefined;
    plot.current = new uPlot(
      {
        title,
        width: widthIn(figure),
        height: 180,
        scales: { x: { time: xTime } },
        series: [{}, { label: unit, stroke: color, width: 2, fill: `${color}22` }],
        axes: [{}, { size: 70 }],
        legend: { show: false },
      },
      data,
      figure,
    );
    // The chart is drawn at a fixed width: it follows its figure when the window narrows or widens
    // (the figure's width never depends on the chart's: style.css).
    let drawn = widthIn(figure);
    const resize = new window.ResizeObserver(() => {
      const width = widthIn(figure);
      if (width === drawn) return;
      drawn = width;
      plot.current?.setSize({ width, height: 180 });
    });
    resize.observe(figure);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
    };
  }, [title]);
  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);
  return html`<figure
    class="chart"
    ref=${box}
    aria-label=${title}
    data-points=${data[0]?.length ?? 0}
  ></figure>`;
}
