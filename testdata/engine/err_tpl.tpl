a: {{ tpl "{{ .Values.a.b }}" . }}
