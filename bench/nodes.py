"""Two web nodes behind Debian's nginx on one PostgreSQL: throughput of one node vs two, and
what one node takes in (a vote, a comment, a new paper) reaching both.

    python bench/nodes.py [demo|SIZE] [--pg-url URL] [--out DIR] [--clients 50] [--seconds 10]
                          [--workers 2] [--query "graph neural networks"]

`demo` (the default) imports the bundled demo set; a SIZE builds that many papers from the
shared sample (bench/scale_data.py, kept in --out). The database named by --pg-url (default
pw_nodes_bench) is dropped and made anew. Each node is `paperwire serve` with its own data dir
(index files) and background worker; nginx runs deploy/nginx.conf (tests/nginx_fixtures.py:
only ports and paths changed) over HTTPS with a self-signed certificate, as nobody when we are
root, and the nodes trust its X-Forwarded-Proto/For (PAPERWIRE_TRUSTED_PROXY_COUNT=1).
`wrk` loads the front page and a search with anonymous clients: one node directly, one node
through nginx, two nodes through nginx. CPU ms per request counts the nodes' and nginx's
processes (not wrk's). Logs and figures go to --out (default data/nodes/, gitignored).
"""

from __future__ import annotations

import argparse
import gzip
import http.cookiejar
import json
import os
import re
import shutil
import ssl
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from _setup import ROOT

sys.path.insert(0, str(ROOT))
from tests.nginx_fixtures import Nginx, free_port  # noqa: E402

PAPERWIRE = [sys.executable, "-m", "paperwire"]
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/pw_nodes_bench"
DEMO = ROOT / "paperwire" / "demo" / "papers.jsonl.gz"
UNVERIFIED = ssl._create_unverified_context()  # noqa: S323  # our own self-signed certificate
EMAIL, PASSWORD = "bench@example.org", "pw-bench-nodes-1"
MEMBER = (
    "from django.contrib.auth.models import User; from allauth.account.models import EmailAddress; "
    f"u = User.objects.create_user('benchreader', '{EMAIL}', '{PASSWORD}'); "
    "EmailAddress.objects.create(user=u, email=u.email, verified=True, primary=True)"
)
CLK_TCK = os.sysconf("SC_CLK_TCK")


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def fresh_postgres(url: str) -> None:
    """Drop and create the bench database named by url."""
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def cpu_seconds(roots: list[int]) -> float:
    """Return the CPU seconds (user + system) used so far by roots and all their descendants."""
    parent: dict[int, int] = {}
    ticks: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        parent[int(entry.name)] = int(fields[1])
        ticks[int(entry.name)] = int(fields[11]) + int(fields[12])
    tree, todo = set(), list(roots)
    while todo:
        pid = todo.pop()
        tree.add(pid)
        todo += [child for child, up in parent.items() if up == pid and child not in tree]
    return sum(ticks.get(pid, 0) for pid in tree) / CLK_TCK


class Node:
    """One `paperwire serve` (gunicorn workers and its background worker) with its own data dir."""

    def __init__(self, name: str, port: int, out: Path, env: dict[str, str], workers: int) -> None:
        self.name, self.port = name, port
        self.data = out / name
        shutil.rmtree(self.data, ignore_errors=True)
        self.data.mkdir(parents=True)
        self.env = {**env, "PAPERWIRE_DATA_DIR": str(self.data)}
        self.log = (out / f"{name}.log").open("w")
        self.proc = subprocess.Popen(
            [*PAPERWIRE, "serve", "--port", str(self.port), "--workers", str(workers)],
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.url = f"http://127.0.0.1:{self.port}"

    def wait_up(self, seconds: float = 900) -> float:
        """Wait until the node answers (it builds its index files first); return the seconds."""
        start = time.monotonic()
        while time.monotonic() - start < seconds:
            if self.proc.poll() is not None:
                sys.exit(f"{self.name} stopped: see {self.log.name}")
            try:
                get(self.url + "/api/papers?limit=1")
                return time.monotonic() - start
            except OSError:
                time.sleep(0.5)
        sys.exit(f"{self.name} did not answer within {seconds:.0f} s: see {self.log.name}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=60)
        self.log.close()


def get(url: str, opener: urllib.request.OpenerDirector | None = None) -> tuple[Any, bytes]:
    """GET url; return its headers and body."""
    if opener is None:
        opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=UNVERIFIED))
    with opener.open(url, timeout=60) as r:
        return r.headers, r.read()


def get_json(url: str) -> Any:
    return json.loads(get(url)[1])


class Member:
    """A signed-in member using the site through nginx over HTTPS (cookies, CSRF)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPSHandler(context=UNVERIFIED), urllib.request.HTTPCookieProcessor(self.jar)
        )
        get(base + "/accounts/login/", self.opener)  # the CSRF cookie
        self.post("/accounts/login/", {"login": EMAIL, "password": PASSWORD})
        if not any(c.name == "sessionid" for c in self.jar):
            sys.exit("the member could not sign in through nginx")

    def post(self, path: str, fields: dict[str, str]) -> int:
        token = next((c.value for c in self.jar if c.name == "csrftoken"), "")
        data = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token}).encode()
        headers = {"Origin": self.base, "Referer": self.base + "/"}  # Django's HTTPS CSRF check
        request = urllib.request.Request(self.base + path, data=data, headers=headers)  # noqa: S310  # https
        with self.opener.open(request, timeout=60) as r:
            return int(r.status)


def generation(pg_url: str) -> int:
    """Return the page cache's generation: how many committed changes public pages have seen."""
    import psycopg

    with psycopg.connect(pg_url) as conn:
        return int(conn.execute("SELECT last_value FROM pagecache_generation_seq").fetchone()[0])  # type: ignore[index]


def wrk(url: str, clients: int, seconds: int, roots: list[int], pg_url: str) -> dict[str, Any]:
    """Load url with wrk; return requests/s, latency percentiles, errors, server CPU ms per
    request and the changes (generation bumps) during the run."""
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing (apt-get install wrk)")
    # Untimed first: each worker's first view renders the page and loads the search model.
    subprocess.run(["wrk", f"-c{clients}", "-t2", "-d3s", url], capture_output=True, check=True, timeout=120)
    changes = generation(pg_url)
    before = cpu_seconds(roots)
    done = subprocess.run(
        # A 10 s timeout (wrk's default is 2 s): a slow answer counts in the percentiles, not as lost.
        ["wrk", f"-c{clients}", "-t2", f"-d{seconds}s", "--timeout", "10s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 120,
    ).stdout
    used = cpu_seconds(roots) - before
    changes = generation(pg_url) - changes
    requests = int(re.search(r"(\d+) requests in", done)[1])  # type: ignore[index]  # wrk always prints it
    figures: dict[str, Any] = {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", done)[1]),  # type: ignore[index]
        "requests": requests,
        "cpu_ms": round(1000 * used / max(requests, 1), 2),
        "changes": changes,
        "load": load(),
    }
    for q in ("50", "99"):
        match = re.search(rf"^\s+{q}%\s+([\d.]+)(us|ms|s)", done, re.MULTILINE)
        if match:
            figures[f"p{q}"] = round(float(match[1]) * {"us": 0.001, "ms": 1, "s": 1000}[match[2]], 1)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", done)
    errors = re.search(r"Socket errors: (.*)", done)
    figures["non2xx"] = int(bad[1]) if bad else 0
    figures["socket_errors"] = errors[1] if errors else ""
    return figures


def voting(proxy: Nginx, node: Node, roots: list[int], args: argparse.Namespace) -> dict[str, Any]:
    """Load the front page through nginx while a member toggles a vote on it every second: each
    vote invalidates every cached page, so every worker of both nodes renders it afresh."""
    arxiv_id = get_json(node.url + "/?format=json")["papers"][0]["id"]
    member = Member(proxy.https)
    stop = threading.Event()

    def vote() -> None:
        state = "on"
        while not stop.wait(1.0):
            member.post(f"/papers/{arxiv_id}/vote", {"state": state})
            state = "off" if state == "on" else "on"

    voter = threading.Thread(target=vote, daemon=True)
    voter.start()
    try:
        return wrk(proxy.https + "/", args.clients, args.seconds, roots, args.pg_url)
    finally:
        stop.set()
        voter.join(30)
        member.post(f"/papers/{arxiv_id}/vote", {"state": "off"})  # as it was, for the checks below


def row(what: str, f: dict[str, Any]) -> str:
    extra = f" non-2xx {f['non2xx']}" if f["non2xx"] else ""
    extra += f" socket errors: {f['socket_errors']}" if f["socket_errors"] else ""
    return (
        f"  {what:48} {f['rps']:7.0f} {f.get('p50', 0):7.1f} {f.get('p99', 0):7.1f} "
        f"{f['cpu_ms']:7.2f} {f['changes']:7d}   {f['load']}{extra}"
    )


def new_record(papers: Path) -> dict[str, Any]:
    """Return a paper that is not in the set: its first record under a new id and a marked title."""
    from scale_data import letters

    opener = gzip.open if papers.suffix == ".gz" else open
    with opener(papers, "rt", encoding="utf-8") as f:  # type: ignore[operator]  # both open text
        record = json.loads(f.readline())
    stamp = int(time.time()) % 10**6
    # An old-style id in an archive no set uses (the id grammar wants letters there).
    arxiv_id = f"xnodes-{letters(stamp // 1000)}/0101{stamp % 1000:03d}"
    return {**record, "id": arxiv_id, "title": f"Nodecheck{stamp} {record['title']}"}


def check(what: str, ok: bool, detail: str) -> bool:
    print(f"  {'ok  ' if ok else 'FAIL'} {what}: {detail}")
    return ok


def eventually(probe: Any, seconds: float) -> float | None:
    """Return the seconds until probe() held, or None when it never did within seconds."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if probe():
            return time.monotonic() - start
        time.sleep(0.25)
    return None


def consistency(nodes: list[Node], proxy: Nginx, papers: Path, out: Path) -> bool:
    """Vote, comment and import a new paper on one node; print whether both nodes show each."""
    front = "/?format=json"
    arxiv_id = get_json(nodes[0].url + front)["papers"][0]["id"]
    paper = f"/papers/{arxiv_id}?format=json"

    def shown(node: Node, key: str) -> int:
        for item in get_json(node.url + front)["papers"]:
            if item["id"] == arxiv_id:
                return int(item[key])
        return -1

    for node in nodes:
        get(node.url + front)  # each node's anonymous front page is now in its page cache
    votes = [shown(n, "upvotes") for n in nodes]
    member = Member(proxy.https)
    member.post(f"/papers/{arxiv_id}/vote", {"state": "on"})
    after = [shown(n, "upvotes") for n in nodes]
    ok = check(
        "vote through nginx",
        after == [v + 1 for v in votes],
        f"upvotes on each node's front page {votes} → {after}",
    )
    comments = [int(get_json(n.url + paper)["num_comments"]) for n in nodes]
    member.post(f"/papers/{arxiv_id}/comments", {"body": "Seen through nginx."})
    later = [int(get_json(n.url + paper)["num_comments"]) for n in nodes]
    ok &= check(
        "comment through nginx",
        later == [c + 1 for c in comments],
        f"comments on each node {comments} → {later}",
    )

    # Listed on the newest day (its front page), whatever day its source record had.
    latest = get_json(nodes[0].url + front)["period"]["end"]
    record = {**new_record(papers), "announced": latest}
    day = f"/papers/date/{latest}?format=json"
    totals = [int(get_json(n.url + day)["total"]) for n in nodes]  # now cached on each node
    single = out / "new-paper.jsonl"
    single.write_text(json.dumps(record) + "\n")
    done = subprocess.run(
        [*PAPERWIRE, "import", str(single)], env=nodes[0].env, check=True, capture_output=True, text=True
    )
    if "created 1," not in done.stdout:
        sys.exit(f"the new paper was not imported: {done.stdout}")
    now = [int(get_json(n.url + day)["total"]) for n in nodes]
    ok &= check(
        f"new paper {record['id']} imported on {nodes[0].name}",
        now == [t + 1 for t in totals],
        f"its day's count on each node {totals} → {now}",
    )
    word = record["title"].split()[0]
    for node in nodes:  # each node's own worker adds it to that node's own index files
        query = urllib.parse.urlencode({"q": word, "mode": "keyword"})

        def found(node: Node = node, query: str = query) -> bool:
            return record["id"] in [r["id"] for r in get_json(f"{node.url}/api/v1/search?{query}")["results"]]

        took = eventually(found, 120)
        ok &= check(
            f"new paper in {node.name}'s own search index",
            took is not None,
            f"found after {took:.1f} s" if took is not None else "not found within 120 s",
        )
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("size", nargs="?", default="demo", help="demo, or a number of papers")
    parser.add_argument("--pg-url", default=os.environ.get("PAPERWIRE_BENCH_PG", PG_DEFAULT))
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "nodes")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per node")
    parser.add_argument("--query", default="graph neural networks for molecules")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.size == "demo":
        papers, vectors = DEMO, DEMO.with_name("papers.minilm-f16.npy")
    else:
        from scale_data import build

        papers, vectors = build(int(args.size), args.out.parent / "scale")
    print(f"{os.cpu_count()} cores, load {load()}; set {papers.name}")

    fresh_postgres(args.pg_url)
    env = {
        **os.environ,
        "DATABASE_URL": args.pg_url,
        "PAPERWIRE_INGEST_SOURCES": "",  # no upstream here: the workers ingest nothing
        "PAPERWIRE_WORKER_INTERVAL": "2",  # seconds between passes: a new paper reaches the index soon
        "PAPERWIRE_TRUSTED_PROXY_COUNT": "1",
        "PAPERWIRE_SECRET_KEY": "bench-nodes-"
        + "k" * 50,  # one for all nodes, or members sign in on one only
        "PAPERWIRE_BASE_URL": "https://127.0.0.1",  # Secure cookies; trust nginx's X-Forwarded-Proto
        # The load comes from one address: searches must not be limited (the default is 120/m).
        "PAPERWIRE_RATE_LIMIT_SEARCH": "100000000/m",
        "PAPERWIRE_RATE_LIMIT_SEARCH_EMBED": "100000000/m",
    }
    env["PAPERWIRE_DATA_DIR"] = str(args.out / "import")
    subprocess.run([*PAPERWIRE, "migrate", "-v0"], env=env, check=True)
    start = time.perf_counter()
    subprocess.run(
        [*PAPERWIRE, "import", str(papers), "--vectors", str(vectors)],
        env=env,
        check=True,
        capture_output=True,
    )
    print(f"imported in {time.perf_counter() - start:.0f} s; load {load()}")
    subprocess.run([*PAPERWIRE, "shell", "-c", MEMBER], env=env, check=True)

    nodes: list[Node] = []
    proxies: list[Nginx] = []
    figures: dict[str, dict[str, Any]] = {}
    search = "/search?" + urllib.parse.urlencode({"q": args.query})
    ports = [free_port(), free_port()]
    proxy_one, proxy_two = Nginx(ports[:1]), Nginx(ports)  # ports known before the nodes start
    proxies.extend([proxy_one, proxy_two])
    # nginx's $host drops the bench's port: the members' POSTs name it in Origin.
    env["PAPERWIRE_CSRF_TRUSTED_ORIGINS"] = f"{proxy_one.https},{proxy_two.https}"
    try:
        one = Node("node1", ports[0], args.out, env, args.workers)
        nodes.append(one)
        print(f"node1 up in {one.wait_up():.0f} s (index build, model); load {load()}")
        head = f"front page and search, {args.clients} clients"
        print(f"\n  {head:48} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'CPU ms':>7} {'changes':>7}   load")
        for path, name in (("/", "front page"), (search, "search")):
            figures[f"direct {name}"] = wrk(
                one.url + path, args.clients, args.seconds, [one.proc.pid], args.pg_url
            )
            print(row(f"{name}: node1 directly (HTTP)", figures[f"direct {name}"]))
        for proxy, label in ((proxy_one, "1 node"), (proxy_two, "2 nodes")):
            if proxy is proxy_two:
                two = Node("node2", ports[1], args.out, env, args.workers)
                nodes.append(two)
                print(f"  (node2 up in {two.wait_up():.0f} s; load {load()})")
            proxy.start()
            roots = [node.proc.pid for node in nodes] + [proxy.pid]
            for path, name in (("/", "front page"), (search, "search")):
                figures[f"{label} {name}"] = wrk(
                    proxy.https + path, args.clients, args.seconds, roots, args.pg_url
                )
                print(row(f"{name}: nginx (HTTPS) → {label}", figures[f"{label} {name}"]))
            if proxy is proxy_one:
                proxy.stop()

        figures["2 nodes front page, votes"] = voting(proxy_two, one, roots, args)
        print(row("front page: 2 nodes, a member votes every second", figures["2 nodes front page, votes"]))

        print(f"\nWhat one node takes in reaches both (node1 {one.url}, node2 {two.url}):")
        ok = consistency(nodes, proxy_two, papers, args.out)
    finally:
        for proxy in proxies:
            proxy.stop()
        for node in nodes:
            node.stop()
    (args.out / "figures.json").write_text(json.dumps(figures, indent=1))
    print(f"\nfigures in {args.out / 'figures.json'}; load {load()}")
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
