{{- define "tds.name" -}}{{ .Release.Name }}-tds{{- end -}}

{{- define "tds.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag }}
{{- end -}}
{{- end -}}

{{- define "tds.labels" -}}
app.kubernetes.io/name: task-deploy-service
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}

{{/* The environment of every role: the chart's settings, then the operator's Secret. */}}
{{- define "tds.env" -}}
{{- range $key, $value := .Values.env }}
- name: {{ $key }}
  value: {{ $value | quote }}
{{- end }}
{{- end -}}

{{- define "tds.envFrom" -}}
- secretRef:
    name: {{ .Values.existingSecret }}
{{- end -}}

{{- define "tds.securityContext" -}}
runAsUser: 10001
runAsGroup: 10001
runAsNonRoot: true
allowPrivilegeEscalation: false
capabilities:
  drop: [ALL]
{{- end -}}
