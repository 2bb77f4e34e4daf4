# Go strings are bytes: cutting inside a character keeps the raw bytes.
# substr: {{ substr 0 2 "héllo" | quote }} {{ substr 2 4 "héllo" | quote }} {{ substr 0 2 "héllo" | len }}
# trunc: {{ trunc 2 "héllo" | quote }} {{ trunc -4 "héllo" | quote }} {{ trunc 2 "héllo" | b64enc }}
# b64dec: {{ b64dec "4oI=" | quote }} {{ b64dec "4oI=" | len }} {{ b64dec "/w==" | b64enc }} {{ b64dec "4oI=" | sha256sum | trunc 12 }}
# printf: {{ printf "%q|%5s|%-4s|%x|%.1q" (b64dec "4oI=") (b64dec "4oI=") (b64dec "/w==") (b64dec "4oI=") (b64dec "4oI=") | quote }}
# squote: {{ b64dec "4oI=" | squote | quote }} {{ b64dec "4oI=" | cat "x" | quote }} {{ b64dec "4oI=" | toString | quote }}
# lists: {{ list (b64dec "4oI=") | toString | quote }} {{ printf "%v" (list (b64dec "4oI=")) | quote }}
# rune-wise: {{ b64dec "4oI=" | upper | quote }} {{ b64dec "4oI=" | title | quote }} {{ b64dec "4oI=" | splitList "" | toJson }}
# json: {{ b64dec "4oI=" | toJson }} {{ b64dec "4oI=" | toJson | len }} {{ dict "k" (b64dec "4oI=") | toYaml }}
# bytes: {{ b64dec "4oI=" | indent 2 | quote }} {{ b64dec "4oI=" | replace "x" "y" | quote }} {{ b64dec "4oI=" | repeat 2 | quote }}
# compare: {{ eq (b64dec "4oI=") (b64dec "4oI=") }} {{ eq (b64dec "4oI=") "x" }} {{ index (b64dec "4oI=") 1 }} {{ b64dec "4oI=" | hasPrefix "a" }}
# escapers: {{ b64dec "4oI=" | urlquery }} {{ b64dec "4oI=" | html | quote }} {{ b64dec "4oI=" | js | quote }}
# include: {{ define "raw" }}{{ b64dec "4oI=" }}{{ end }}{{ include "raw" . | quote }} {{ tpl "{{ b64dec \"4oI=\" }}" . | len }}
# literals: {{ "\xe2\x82" | len }} {{ "\xe2\x82" | quote }} {{ "\xff" | b64enc }} {{ "\377" | len }} {{ "\xe2\x82" | upper | quote }} {{ eq (b64dec "4oI=") "\xe2\x82" }} {{ printf "\xe2%s" "\x82" | quote }} {{ b64dec "4oI=" | contains "\x82" }}
# byte-wise: {{ printf " %s " (b64dec "4oI=") | trim | quote }} {{ b64dec "4oI=" | trimAll "x" | quote }} {{ printf "a %s b" (b64dec "4oI=") | nospace | quote }} {{ b64dec "4oI=" | initials | quote }} {{ b64dec "4oI=" | wrapWith 1 "\n" | quote }} {{ b64dec "4oI=" | kebabcase | quote }} {{ b64dec "4oI=" | snakecase | quote }} {{ b64dec "4oI=" | swapcase | quote }}
# readers: {{ b64dec "4oI=" | fromYaml | toJson }} {{ b64dec "4oI=" | fromYamlArray | toJson }} {{ b64dec "gA==" | fromJson | toJson }} {{ printf "{\"a\":\"%s\"}" (b64dec "4oI=") | fromJson | toJson }}
# yamlPretty: {{ toYamlPretty (b64dec "4oI=") | quote }} {{ toYamlPretty (dict "k" (b64dec "4oI=")) | quote }} {{ toYamlPretty (list (b64dec "/////w==") "x") | quote }}
