package doctor

import (
	"strconv"
	"strings"
)

// signature is one text that names a cause, in compose output, a
// container's state error or its logs.
type signature struct {
	kind Kind
	re   *lazyRE
	// inLogs says the text means this cause when a container prints it
	// itself; "address already in use" inside a container is the app's
	// own business, not a host port.
	inLogs bool
}

// signatures are tried in order; the first match wins.
var signatures = []signature{
	{KindGPUUnavailable, lazyRegexp(`could not select device driver "[^"]*" with capabilities|unknown or invalid runtime name: nvidia|unknown runtime specified nvidia|nvidia-container-cli: (?:initialization error|device error)`), false},
	{KindCUDADriver, lazyRegexp(`(?i)CUDA driver version is insufficient for CUDA runtime version|forward compatibility was attempted on non supported HW|found no NVIDIA driver on your system|NVIDIA driver on your system is too old|unsatisfied condition: cuda\s*>=|CUDA_ERROR_(?:NO_DEVICE|INSUFFICIENT_DRIVER|COMPAT_NOT_SUPPORTED_ON_DEVICE)|no CUDA-capable device is detected`), true},
	{KindArchMismatch, lazyRegexp(`exec format error|does not match the (?:detected host|specified) platform`), true},
	{KindPortConflict, lazyRegexp(`port is already allocated|address already in use|Ports are not available`), false},
	{KindNoSpace, lazyRegexp(`(?i)no space left on device`), true},
	{KindImageMissing, lazyRegexp(`(?i)pull access denied|manifest unknown|repository does not exist|no such image|manifest for \S+ not found|failed to resolve reference|not found: manifest|registry-\S*: no such host|lookup registry\S*.*no such host`), false},
}

// classify returns the cause a line of text names, if any. fromLogs limits
// it to the signatures that hold inside a container.
func classify(line string, fromLogs bool) (Kind, bool) {
	for _, s := range signatures {
		if fromLogs && !s.inLogs {
			continue
		}
		if s.re.MatchString(line) {
			return s.kind, true
		}
	}
	return "", false
}

// Port conflict messages name the host address: "Bind for 0.0.0.0:8080
// failed", "listen tcp4 127.0.0.1:8080: bind", "Ports are not available:
// exposing port TCP 0.0.0.0:8080".
var conflictPortRe = lazyRegexp(`(?:Bind for|listen tcp[46]?|listen udp[46]?|exposing port (?:TCP|UDP)) \[?([0-9a-fA-F.:]*?)\]?:(\d{1,5})\b`)

// conflictPort extracts the host port a conflict message names; 0 when it
// names none.
func conflictPort(line string) int {
	m := conflictPortRe.FindStringSubmatch(line)
	if m == nil {
		return 0
	}
	n, err := strconv.Atoi(m[2])
	if err != nil || n <= 0 || n > 65535 {
		return 0
	}
	return n
}

// errorLineRe finds the lines worth showing from a crashed program's output.
var errorLineRe = lazyRegexp(`(?i)\b(?:panic|fatal|error|exception|traceback|segmentation fault|killed|abort(?:ed)?|failed|cannot|unable to)\b`)

func isErrorLine(s string) bool { return errorLineRe.MatchString(s) }

// dataImages are the images whose data a restart loop could corrupt; a
// service running one is never restarted without asking.
var dataImages = []string{
	"postgres", "postgis", "timescale", "mysql", "mariadb", "percona", "mongo", "redis", "valkey", "keydb",
	"elasticsearch", "opensearch", "cassandra", "scylla", "couchdb", "couchbase", "neo4j", "influxdb",
	"clickhouse", "cockroach", "etcd", "zookeeper", "kafka", "rabbitmq", "nats", "minio", "memcached",
	"questdb", "qdrant", "weaviate", "milvus", "chroma", "surrealdb", "dgraph", "arangodb", "rethinkdb",
}

// holdsData judges by the image's repository name (registry, tag and
// digest stripped) whether the service is a data service. It errs towards
// yes ("redis-commander" counts): the cost is one question instead of an
// automatic restart.
func holdsData(image string) bool {
	name := strings.ToLower(image)
	if i := strings.LastIndex(name, "@"); i >= 0 {
		name = name[:i]
	}
	if i := strings.LastIndex(name, ":"); i > strings.LastIndex(name, "/") {
		name = name[:i]
	}
	base := name[strings.LastIndex(name, "/")+1:]
	for _, d := range dataImages {
		if strings.Contains(base, d) {
			return true
		}
	}
	return false
}
