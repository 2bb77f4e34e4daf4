{{- define "lib.x" -}}
name: {{ .Template.Name }} {{ .Template.BasePath }}
fail: {{ if .Values.boom }}{{ .Values.m.a.b }}{{ end }}
{{- end }}
{{- define "lib.y" -}}{{ template "lib.x" . }}{{- end }}
