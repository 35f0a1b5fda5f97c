import { html } from 'htm/preact';
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** A line chart (uPlot) of `data` ([xs, ys]); redrawn when the data grows. */
export function LineChart({ title, data, unit, color = '#2563eb', xTime = false }) {
  const box = useRef();
  const plot = useRef();
  useEffect(() => {
    // The figure's width inside its padding, so that a chart never pushes past a narrow screen.
    const style = window.getComputedStyle(box.current);
    const inner = box.current.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const width = Math.max(240, Math.min(640, inner || 480));
    plot.current = new uPlot(
      {
        title,
        width,
        height: 180,
        scales: { x: { time: xTime } },
        series: [{}, { label: unit, stroke: color, width: 2, fill: `${color}22` }],
        axes: [{}, { size: 70 }],
        legend: { show: false },
      },
      data,
      box.current,
    );
    return () => plot.current.destroy();
  }, [title]);
  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);
  return html`<figure class="chart" ref=${box} aria-label=${title} data-points=${data[0].length}></figure>`;
}
