# Generates the writer benchmark tree: 100 dirs x 100 files (log-uniform 180 B..32 KiB, 25% random content)
# plus 4 x 64 MiB files (one text-like, three half random / half text). Usage: python3 make-bench-tree.py DIR
# Compare: mksquashfs DIR ref.sqfs -comp zstd -noappend -processors 2  vs  SquashFsWriter (MaxParallelism = 2).
import os, random, math, sys
random.seed(42)
root = sys.argv[1]
words = [''.join(random.choice('abcdefghijklmnopqrstuvwxyz') for _ in range(random.randint(2,10))) for _ in range(5000)]
def text(n):
    out = []; size = 0
    while size < n:
        line = ' '.join(random.choice(words) for _ in range(random.randint(3,15))) + '\n'
        out.append(line); size += len(line)
    return ''.join(out).encode()[:n]
base = text(4 << 20)
lines = base.split(b'\n')
def bigtext(n):
    out = bytearray()
    while len(out) < n:
        random.shuffle(lines); out += b'\n'.join(lines)
    return bytes(out[:n])
os.makedirs(root, exist_ok=True)
for d in range(100):
    dp = os.path.join(root, f'dir{d:03}'); os.makedirs(dp, exist_ok=True)
    for f in range(100):
        size = int(math.exp(random.uniform(math.log(180), math.log(32768))))
        if random.random() < 0.25: data = os.urandom(size)
        else:
            off = random.randint(0, len(base) - size); data = base[off:off+size]
        with open(os.path.join(dp, f'file{f:03}.dat'), 'wb') as fh: fh.write(data)
big = os.path.join(root, 'big'); os.makedirs(big, exist_ok=True)
with open(os.path.join(big, 'text.txt'), 'wb') as fh: fh.write(bigtext(64 << 20))
for i in range(3):
    with open(os.path.join(big, f'mixed{i}.bin'), 'wb') as fh:
        for k in range(64):
            fh.write(os.urandom(1 << 20) if (k + i) % 2 == 0 else bigtext(1 << 20))
