# {{- define "item" }}[{{ . }}]{{ end -}}
# if: {{ if .Values.s }}yes{{ else if .Values.n }}n{{ else }}no{{ end }}
# with: {{ with .Values.nope }}x{{ else with .Values.m.b }}{{ .c }}{{ end }}
# range: {{ range $i, $v := .Values.l }}{{ $i }}={{ $v }};{{ end }}
# map: {{ range $k, $v := .Values.m }}{{ $k }} {{ end }}
# int: {{ range 3 }}{{ . }}{{ end }}
# else: {{ range .Values.nope }}x{{ else }}empty{{ end }}
# break: {{ range list 1 2 3 4 }}{{ if eq . 3 }}{{ break }}{{ end }}{{ if eq . 1 }}{{ continue }}{{ end }}{{ . }}{{ end }}
# template: {{ template "item" "t" }} {{ include "item" 5 | upper }}
# users:
# {{- range .Values.users }}
#   - {{ .name }}: {{ .admin | default false }}
# {{- end }}
