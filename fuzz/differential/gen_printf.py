import random, sys
rng = random.Random(int(sys.argv[1]))
VERBS = ['%v','%+v','%#v','%d','%s','%q','%x','%X','%o','%O','%b','%e','%E','%f','%F','%g','%G','%t','%c','%U','%T','%%','%5.2f','%-5d|','%05d','%8s|','%-8s|','%.3s','%.2q','%x ','% x','%#x','%+d','% d','%6.2e','%.0f','%.10g','%3c','%08.3f','%+.1e','%#o','%#q','%!','%z','%[2]v %[1]v','%*d','%.*f','%v %v','%d%%','%w','%#U','%10.4v|','%-10v|']
ARGS = ['0','1','-3','2.5','-0.5','1e3','7.0','"3"','"abc"','""','"héllo"','true','nil','(list 1 "b" 3)','(list)','(dict "a" 1 "b" "x")','(dict)','.Values.i','.Values.f','.Values.big','.Values.s','.Values.n','.Values.l','.Values.m','.Values.em','.Values.el','.Values.missing','(int64 5)','(float64 3)','9223372036854775807','0.1','1e100','1e21','1e20','123456789.0','0.000001','0.0000001','(toDate "2006-01-02" "2024-03-04")','(list nil)','(dict "k" nil)','(b64enc "x" | b64dec)','(semver "1.2.3")','(urlParse "http://a/b")','.Capabilities.KubeVersion','.Release','.Chart.Name','(splitList "," "a,b")','(regexFindAll "a" "aaa" -1)','(atoi "5")','(float64 "2.50")','(mul 2 3)','(div 7 2)','(divf 7 2)','(len "abc")','(index .Values.l 1)','(keys .Values.m)','(list 1.5 2.25)','(dict "a" (list 1 (dict "b" 2)))','(toYaml .Values.m)','(fromJson "{\\"a\\":1}")','(fromYaml "a: 1")','(toRawJson .Values.m)','(tuple 1 2)','(seq 3)','(until 3)','(sha256sum "x")','(duration 90)','(now | date "2006" | atoi | sub 2000 | int)']
exprs=set()
for _ in range(int(sys.argv[2])):
    v = rng.choice(VERBS)
    if rng.random()<0.3: v = v + " " + rng.choice(VERBS)
    n = v.count('%') - 2*v.count('%%')
    n = max(0, n + rng.choice([0,0,0,-1,1]))
    args = [rng.choice(ARGS) for _ in range(n)]
    if '*' in v: args = ['3'] + args
    fmt = '"' + v.replace('"','\\"') + '"'
    exprs.add('printf %s %s' % (fmt, ' '.join(args)))
for a in ARGS:
    exprs.add('print %s' % a); exprs.add('println %s %s' % (a, rng.choice(ARGS))); exprs.add('toString %s' % a); exprs.add('quote %s' % a); exprs.add('toJson %s' % a); exprs.add('toYaml %s' % a); exprs.add('cat %s %s' % (a, rng.choice(ARGS)))
for e in sorted(exprs): print(e)
