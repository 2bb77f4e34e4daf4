a: {{ index .Values.l 5 }}
