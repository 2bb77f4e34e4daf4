{{- define "boom" }}{{ fail "custom failure" }}{{ end -}}
a: {{ include "boom" . }}
