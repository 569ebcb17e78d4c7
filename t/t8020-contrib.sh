#!/bin/bash
# contrib/ deploys as written: the ECS task definition and the Kubernetes
# manifests parse, carry what their platforms require of a real
# deployment, and the configs they embed pass `hopwatchd -t`.
. "$(dirname "$0")/test-lib.sh"

require_cmd python3
python3 -c 'import yaml' 2>/dev/null || skip_all "python3 has no yaml module (Debian: python3-yaml)"
ECS=$SRCDIR/contrib/ecs/task-definition.json
K8S=$SRCDIR/contrib/kubernetes/daemonset.yaml

test_expect_success 'ECS: execution role, and every container logs to CloudWatch' '
	python3 - "$ECS" <<-\PY
	import json, sys
	d = json.load(open(sys.argv[1]))
	assert d["executionRoleArn"].startswith("arn:aws:iam::"), "executionRoleArn"
	assert d["networkMode"] == "awsvpc" and "FARGATE" in d["requiresCompatibilities"]
	names = [c["name"] for c in d["containerDefinitions"]]
	assert "hopwatch" in names and "datadog-agent" in names, names
	for c in d["containerDefinitions"]:
	    lc = c.get("logConfiguration", {})
	    assert lc.get("logDriver") == "awslogs", c["name"]
	    for k in ("awslogs-group", "awslogs-region", "awslogs-stream-prefix"):
	        assert lc["options"].get(k), (c["name"], k)
	PY
'
test_expect_success 'ECS: the config the init container writes passes -t' '
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print([e[\"value\"] for c in d[\"containerDefinitions\"] for e in c.get(\"environment\", []) if e[\"name\"] == \"HOPWATCH_CONF\"][0])" "$ECS" >ecs.conf &&
	printf "statsd = { url = \"udp://127.0.0.1:1\"; };\n" >>ecs.conf &&
	"$HOPWATCHD" -t -c ecs.conf -P "$PLUGIN_DIR"
'
test_expect_success 'Kubernetes: RuntimeDefault seccomp, no privilege, icmp never targets a Service' '
	python3 - "$K8S" <<-\PY
	import sys, yaml
	docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
	ds = [d for d in docs if d["kind"] == "DaemonSet"][0]
	pod = ds["spec"]["template"]["spec"]
	assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
	assert pod["securityContext"]["runAsNonRoot"] is True
	for c in pod["containers"]:
	    sc = c["securityContext"]
	    assert sc["allowPrivilegeEscalation"] is False
	    assert sc["capabilities"]["drop"] == ["ALL"]
	cm = [d for d in docs if d["kind"] == "ConfigMap"][0]
	conf = cm["data"]["hopwatch.conf"]
	open("k8s.conf", "w").write(conf)
	# each probe instance: a top-level { ... } inside probes = ( ... )
	import re
	body = conf[conf.index("probes"):]
	depth, start, probes = 0, None, []
	for i, ch in enumerate(body):
	    if ch == "{":
	        depth += 1
	        start = i if depth == 1 else start
	    elif ch == "}":
	        depth -= 1
	        if depth == 0:
	            probes.append(body[start:i + 1])
	assert len(probes) >= 2, probes
	for p in probes:
	    if re.search(r"plugin\s*=\s*.icmp.", p):
	        assert ".svc" not in p, "icmp to a Service: " + p
	PY
'
test_expect_success 'Kubernetes: the ConfigMap passes -t' '
	printf "statsd = { url = \"udp://127.0.0.1:1\"; };\n" >>k8s.conf &&
	"$HOPWATCHD" -t -c k8s.conf -P "$PLUGIN_DIR"
'

test_expect_success 'the stunnel sidecar parses and runs unprivileged' '
	python3 - "$SRCDIR/contrib/stunnel/sidecar.yaml" <<-\PY
	import sys, yaml
	docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
	cm = [d for d in docs if d["kind"] == "ConfigMap"][0]
	conf = cm["data"]["redis-tls.conf"]
	assert "verifyChain = yes" in conf and "checkHost" in conf and "client = yes" in conf
	assert "accept = 127.0.0.1:6380" in conf
	pod = [d for d in docs if d["kind"] == "Pod"][0]["spec"]
	assert pod["securityContext"]["runAsNonRoot"] is True
	assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
	for c in pod["containers"]:
	    assert c["securityContext"]["capabilities"]["drop"] == ["ALL"]
	PY
'

test_done
