# Sprig returns Go nil slices in some cases: they print [] but marshal as null.
# rest: {{ toJson (rest (list)) }} {{ toJson (rest (list 1)) }} {{ toJson (mustRest (list)) }}
# initial: {{ toJson (initial (list)) }} {{ toJson (initial (list 1)) }} {{ toJson (mustInitial (list)) }}
# concat: {{ toJson (concat) }} {{ toJson (concat (list) (list)) }} {{ toJson (concat (list) (list 1)) }}
# made: {{ toJson (compact (list "")) }} {{ toJson (without (list 1) 1) }} {{ toJson (uniq (list)) }} {{ toJson (reverse (list)) }} {{ toJson (list) }}
# slice: {{ toJson (slice (list)) }} {{ toJson (slice (list 1 2) 1 1) }} [{{ slice (list) }}]
# regex: {{ toJson (regexFindAll "x" "abc" -1) }} {{ toJson (regexFindAll "b" "abc" 0) }} {{ toJson (regexSplit "x" "" -1) }}
# print: {{ rest (list) }} {{ printf "%#v|%#v|%v" (rest (list)) (list) (rest (list)) }} {{ rest (list) | len }} {{ rest (list) | empty }} {{ typeOf (rest (list)) }} {{ typeOf (regexFindAll "x" "" -1) }}
# nested: {{ toJson (dict "a" (rest (list))) }} {{ dict "a" (rest (list)) "b" (list) | toYaml | nindent 2 | replace "\n" ";" }}
# more: {{ toJson (regexSplit "," "" 0) }} {{ toJson (regexSplit "," "a,b" -1) }} {{ toJson (deepCopy (rest (list))) }} {{ toJson (fromJson "null") }} {{ toJson (fromYaml "") }} {{ toJson (uniq (rest (list))) }}
