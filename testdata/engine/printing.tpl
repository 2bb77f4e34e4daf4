# floats: {{ .Values.f }} {{ .Values.big }} {{ 1.0 }} {{ 1e21 }} {{ 0x1p4 }}
# collections: {{ .Values.m }} {{ .Values.l }} {{ list "a" nil (dict) }}
# missing: [{{ .Values.nope }}] [{{ printf "%v" .Values.nope }}] [{{ print .Values.nope }}]
# printf: {{ printf "%5.2f|%-4s|%05d|%x|%q|%T|%t" 3.14159 "ab" 42 "hi" "q" .Values.l true }}
# errors: {{ printf "%d %s" 1.5 }} {{ printf "%s" "a" "b" }} {{ printf "%[3]d" 1 }}
# chars: {{ 'a' }} {{ printf "%c%c" 72 105 }} {{ "\u00e9\t|" }}
