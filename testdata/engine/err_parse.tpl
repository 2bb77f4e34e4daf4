a: {{ .Values.s
b: 1
