package edit

import (
	"fmt"
	"strings"
)

// gen turns fuzz bytes into a valid compose project and a fix to make on
// it: the styles a fix must cope with (comments, anchors and merge keys,
// flow mappings and lists, block scalars, quoted values, override and
// included files) in random combinations.
type gen struct {
	b []byte
	i int
	// j counts the draws of memswap_limit choices, which read b from its
	// end: they came later, and the projects of the existing corpus stay
	// as they were.
	j int

	files    map[string]*strings.Builder
	order    []string // -f files
	services []string
	ports    map[string][]int // host ports each service publishes
	swaps    map[string]bool  // services with a memswap_limit
	nextPort int
}

func (g *gen) n(max int) int {
	if max <= 1 || g.i >= len(g.b) {
		return 0
	}
	v := int(g.b[g.i]) % max
	g.i++
	return v
}

func (g *gen) pick(options ...string) string { return options[g.n(len(options))] }

// nBack is n drawing from the end of b; 0 when the bytes run out.
func (g *gen) nBack(max int) int {
	if max <= 1 || g.j >= len(g.b) {
		return 0
	}
	v := int(g.b[len(g.b)-1-g.j]) % max
	g.j++
	return v
}

// memSwap writes, some of the time, a memswap_limit for a service with a
// memory limit: unlimited, below, equal to or above any limit generated.
func (g *gen) memSwap(b *strings.Builder, name, indent string) {
	if g.nBack(3) != 1 {
		return
	}
	g.swaps[name] = true
	b.WriteString(indent + "memswap_limit: " + genSwaps[g.nBack(len(genSwaps))] + []string{"", " # swap"}[g.nBack(2)] + "\n")
}

func (g *gen) port() int {
	g.nextPort += 2 // ranges take two
	return g.nextPort
}

var (
	genSizes     = []string{"67108864", "64m", "128M", "1g", "1G", `"512m"`, "'256MiB'", "1536mb"}
	genPlatforms = []string{"linux/amd64", `"linux/arm64"`, "'linux/arm64/v8'"}
	genGraces    = []string{"10s", `"1m"`, "1m30s", "'5s'"}
	genSwaps     = []string{"-1", "32m", "64m", "2G", `"3g"`, "4294967296", "'1536MiB'"}
)

// project writes the files and returns the -f list.
func (g *gen) project() {
	g.files = map[string]*strings.Builder{}
	g.ports = map[string][]int{}
	g.swaps = map[string]bool{}
	g.nextPort = 8000
	main := &strings.Builder{}
	g.files["compose.yaml"] = main
	g.order = []string{"compose.yaml"}
	if g.n(3) == 0 {
		main.WriteString("# generated " + g.pick("project", "stack") + "\nname: fuzz\n\n")
	}
	defaults, defaultsMem := g.n(2) == 0, false
	if defaults {
		defaultsMem = g.n(2) == 0
		if g.n(2) == 0 {
			main.WriteString("x-defaults: &defaults\n  restart: \"no\"\n")
			if defaultsMem {
				main.WriteString("  mem_limit: " + g.pick(genSizes...) + "   # shared\n")
			}
			g.memSwap(main, "", "  ")
			if g.n(2) == 0 {
				main.WriteString("  stop_grace_period: " + g.pick(genGraces...) + "\n")
			}
		} else {
			main.WriteString("x-defaults: &defaults { restart: \"no\"")
			if defaultsMem {
				main.WriteString(", mem_limit: " + g.pick(genSizes...))
			}
			main.WriteString(" }\n")
		}
	}
	if g.n(4) == 0 {
		main.WriteString("include:\n  - " + g.pick("inc.yaml", "./inc.yaml", "sub/../inc.yaml") + "\n")
		inc := &strings.Builder{}
		g.files["inc.yaml"] = inc
		inc.WriteString("services:\n")
		g.service(inc, "inc0", false, false)
	}
	main.WriteString("services:\n")
	for i := 0; i < 1+g.n(3); i++ {
		g.service(main, fmt.Sprintf("s%d", i), defaults, defaultsMem)
	}
	if g.n(3) == 0 {
		g.override()
	}
}

// service writes one service in block or (sometimes) flow style.
func (g *gen) service(b *strings.Builder, name string, defaults, defaultsMem bool) {
	g.services = append(g.services, name)
	if g.n(6) == 0 {
		g.flowService(b, name, defaults, defaultsMem)
		return
	}
	if g.n(3) == 0 {
		b.WriteString("  # " + name + " does things\n")
	}
	b.WriteString("  " + name + ":\n")
	var keys []func()
	keys = append(keys, func() {
		b.WriteString("    image: " + g.pick("stackui-demo/workload:latest", `"stackui-demo/workload:latest"`) + g.pick("", "  # the image") + "\n")
	})
	if defaults && g.n(2) == 0 {
		keys = append(keys, func() { b.WriteString("    <<: *defaults\n") })
	} else {
		defaultsMem = false
	}
	mem := g.n(6)
	switch {
	case mem == 1 || (mem > 1 && defaultsMem):
		keys = append(keys, func() { b.WriteString("    mem_limit: " + g.pick(genSizes...) + g.pick("", " # limit") + "\n") })
	case mem == 2:
		size := g.pick(genSizes...)
		if size == "67108864" {
			size = `"67108864"` // deploy's sizes are strings
		}
		keys = append(keys, func() { b.WriteString("    mem_limit: " + size + "\n") })
		keys = append(keys, func() {
			b.WriteString("    deploy:\n      resources:\n        limits:\n          cpus: '1'\n          memory: " + size + "\n")
		})
	case mem == 3:
		keys = append(keys, func() {
			b.WriteString("    deploy:\n      resources:\n        limits: { cpus: '0.5', memory: " + g.pick(genSizes[1:]...) + " }\n        reservations:\n          memory: 32m\n")
		})
	case mem == 4:
		keys = append(keys, func() {
			b.WriteString("    deploy:\n      resources:\n        limits:" + g.pick(" {cpus: '2'}", "\n          cpus: '2'") + "\n")
		})
	}
	keys = append(keys, func() { g.memSwap(b, name, "    ") })
	if g.n(3) == 0 {
		keys = append(keys, func() { b.WriteString("    platform: " + g.pick(genPlatforms...) + "\n") })
	}
	if g.n(3) == 0 {
		keys = append(keys, func() { b.WriteString("    stop_grace_period: " + g.pick(genGraces...) + "\n") })
	}
	if g.n(2) == 0 {
		keys = append(keys, func() { g.portList(b, name, "    ") })
	}
	if g.n(3) == 0 {
		keys = append(keys, func() {
			b.WriteString("    environment:\n      A: \"1\"\n" + g.pick("", "      # B: \"2\"\n", "\n      C: x\n"))
		})
	}
	if g.n(3) == 0 {
		keys = append(keys, func() {
			b.WriteString(g.pick("    command: |\n      --print hi\n      # text, not a comment\n", "    command: [\"--print\", \"hi\"]\n", "    command:\n    - --print\n    - hi\n"))
		})
	}
	// write the keys in a random order
	for len(keys) > 0 {
		i := g.n(len(keys))
		keys[i]()
		keys = append(keys[:i], keys[i+1:]...)
	}
	b.WriteString(g.pick("", "\n", "    # end of "+name+"\n", "  # next\n"))
}

func (g *gen) flowService(b *strings.Builder, name string, defaults, defaultsMem bool) {
	b.WriteString("  " + name + ": { image: stackui-demo/workload:latest")
	if defaults && g.n(2) == 0 {
		b.WriteString(", <<: *defaults")
	}
	if g.n(2) == 0 {
		b.WriteString(", mem_limit: " + g.pick(genSizes...))
	}
	if g.n(2) == 0 {
		b.WriteString(", platform: " + g.pick(genPlatforms...))
	}
	if g.n(2) == 0 {
		p := g.port()
		g.ports[name] = append(g.ports[name], p)
		b.WriteString(fmt.Sprintf(", ports: [\"%d:80\"]", p))
	}
	b.WriteString(g.pick(" }", "}", " } # flow") + "\n")
}

// portList writes a ports list in one of the syntaxes compose accepts.
func (g *gen) portList(b *strings.Builder, name, indent string) {
	if g.n(4) == 0 {
		p1, p2 := g.port(), g.port()
		g.ports[name] = append(g.ports[name], p1, p2)
		fmt.Fprintf(b, "%sports: [\"%d:80\", '127.0.0.1:%d:443']\n", indent, p1, p2)
		return
	}
	b.WriteString(indent + "ports:\n")
	item := indent + g.pick("  ", "")
	for k := 0; k < 1+g.n(3); k++ {
		p := g.port()
		g.ports[name] = append(g.ports[name], p)
		switch g.n(5) {
		case 0:
			fmt.Fprintf(b, "%s- \"%d:%d\"%s\n", item, p, 80+k, g.pick("", "   # web"))
		case 1:
			fmt.Fprintf(b, "%s- 127.0.0.1:%d:%d\n", item, p, 80+k)
		case 2:
			g.ports[name] = append(g.ports[name], p+1)
			fmt.Fprintf(b, "%s- \"%d-%d:%d-%d\"\n", item, p, p+1, 80+2*k, 81+2*k)
		case 3:
			fmt.Fprintf(b, "%s- target: %d\n%s  published: %s\n", item, 80+k, item, g.pick(fmt.Sprint(p), fmt.Sprintf("%q", fmt.Sprint(p))))
		default:
			fmt.Fprintf(b, "%s- '%d:%d/udp'\n", item, p, 80+k)
		}
	}
}

// override writes compose.override.yaml with a few keys for a few services.
func (g *gen) override() {
	o := &strings.Builder{}
	g.files["compose.override.yaml"] = o
	g.order = append(g.order, "compose.override.yaml")
	o.WriteString("# local overrides\nservices:\n")
	wrote := false
	for _, s := range g.services {
		if strings.HasPrefix(s, "inc") || g.n(2) == 0 {
			continue
		}
		wrote = true
		o.WriteString("  " + s + ":\n")
		if g.n(2) == 0 {
			o.WriteString("    stop_grace_period: " + g.pick(genGraces...) + "\n")
		}
		if g.n(2) == 0 {
			o.WriteString("    platform: " + g.pick(genPlatforms...) + "\n")
		}
		if g.n(2) == 0 {
			g.portList(o, s, "    ")
		}
		if g.swaps[s] && g.nBack(2) == 0 {
			o.WriteString("    memswap_limit: " + genSwaps[g.nBack(len(genSwaps))] + "\n")
		}
		o.WriteString("    labels:\n      overridden: \"yes\"\n")
	}
	if !wrote {
		o.WriteString("  s0:\n    labels: [\"overridden=yes\"]\n")
	}
}

// fix picks a fix for the generated project.
func (g *gen) fix() fix {
	x := fix{service: g.services[g.n(len(g.services))]}
	switch g.n(4) {
	case 0:
		x.kind, x.platform = "platform", g.pick("linux/amd64", "linux/arm64", "linux/arm/v7")
	case 1:
		x.kind = "grace"
		x.grace = fromSeconds(1 + g.n(600))
	case 2:
		if ports := g.ports[x.service]; len(ports) > 0 {
			x.kind, x.oldPort, x.newPort = "port", ports[g.n(len(ports))], 20000+g.n(200)*2
			break
		}
		fallthrough
	default:
		x.kind = "mem"
		x.bytes = int64(1+g.n(255)) << (10 * (1 + g.n(3)))
	}
	return x
}
