a: {{ .Values.m.zz.y }}
