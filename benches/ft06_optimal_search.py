#!/usr/bin/env python3
# Independent search for an ft06 schedule of makespan 55 (the proven optimum, bks.json) by
# random Giffler-Thompson schedules and adjacent-swap local search, in plain Python that shares
# no code with linetwin. It checks the schedule it finds (precedence, machine overlap, machines)
# from its own start times and prints the machine sequences that
# twin-models/tests/it/scheduling.rs evaluates. Usage: python3 benches/ft06_optimal_search.py FT06.txt
import random, sys
rows = [list(map(int, l.split())) for l in open(sys.argv[1]).read().split('\n')[1:] if l.strip()]
J = [[(r[2*i], r[2*i+1]) for i in range(len(r)//2)] for r in rows]
n, m = len(J), len(J[0])
def times(seq):
    # semi-active times by fixed-point iteration (independent of the Rust evaluator)
    start = {}
    pos = {(j,o):0 for j in range(n) for o in range(m)}
    changed = True; it=0
    while changed:
        changed=False; it+=1
        if it>1000: return None
        for k in range(m):
            t=0
            for (j,o) in seq[k]:
                s=max(t, (start.get((j,o-1),0)+J[j][o-1][1]) if o>0 else 0)
                if start.get((j,o))!=s: start[(j,o)]=s; changed=True
                t=s+J[j][o][1]
    return start
def mk(seq):
    st=times(seq)
    return None if st is None else max(st[(j,o)]+J[j][o][1] for j in range(n) for o in range(m))
def gt(rng):
    nxt=[0]*n; jr=[0]*n; mr=[0]*m; seq=[[] for _ in range(m)]
    while any(x<m for x in nxt):
        c=[(max(jr[j],mr[J[j][nxt[j]][0]]), j) for j in range(n) if nxt[j]<m]
        ect=min(s+J[j][nxt[j]][1] for s,j in c)
        mstar=[J[j][nxt[j]][0] for s,j in c if s+J[j][nxt[j]][1]==ect][0]
        conf=[j for s,j in c if J[j][nxt[j]][0]==mstar and s<ect]
        j=rng.choice(conf); o=nxt[j]; mach,p=J[j][o]
        s=max(jr[j],mr[mach]); jr[j]=mr[mach]=s+p; seq[mach].append((j,o)); nxt[j]+=1
    return seq
rng=random.Random(1)
best=None
for trial in range(20000):
    seq=gt(rng); v=mk(seq)
    improved=True
    while improved:
        improved=False
        for k in range(m):
            for i in range(n-1):
                s2=[list(x) for x in seq]; s2[k][i],s2[k][i+1]=s2[k][i+1],s2[k][i]
                v2=mk(s2)
                if v2 is not None and v2<v: seq,v,improved=s2,v2,True
    if best is None or v<best[0]: best=(v,seq); print(trial,v,flush=True)
    if v==55: break
v,seq=best
st=times(seq)
# independent check: precedence and machine overlap from the start times
for j in range(n):
    for o in range(1,m): assert st[(j,o)]>=st[(j,o-1)]+J[j][o-1][1]
for k in range(m):
    iv=sorted((st[(j,o)], st[(j,o)]+J[j][o][1]) for (j,o) in seq[k])
    assert all(a[1]<=b[0] for a,b in zip(iv,iv[1:]))
    assert all(J[j][o][0]==k for (j,o) in seq[k])
print("makespan", v)
for k in range(m): print(k, [j for j,o in seq[k]], [st[(j,o)] for j,o in seq[k]])
