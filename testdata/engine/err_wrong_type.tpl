a: {{ trim .Values.num }}
