package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// report prints one Markdown table per route (medians of the rounds), then the ratios.
func report(w io.Writer, cfg config, targets []*target, res map[string]map[string][]result) {
	fmt.Fprintf(w, "c=%d, %d interleaved rounds of %s per target and route, medians; %d CPUs, %s\n\n",
		cfg.conns, cfg.rounds, cfg.duration, runtime.NumCPU(), time.Now().UTC().Format("2006-01-02"))
	fmt.Fprintln(w, "| target | startup | RSS after the rounds (peak) |")
	fmt.Fprintln(w, "|---|---|---|")
	for _, t := range targets {
		now, peak := t.rss()
		fmt.Fprintf(w, "| %s | %s | %s (%s) |\n", t.label, t.startup.Round(time.Millisecond), mib(now), mib(peak))
	}
	rps := map[string]map[string]float64{}
	p50 := map[string]map[string]float64{}
	for _, rt := range routes {
		rps[rt.name], p50[rt.name] = map[string]float64{}, map[string]float64{}
		fmt.Fprintf(w, "\n%s\n\n| target | 2xx/s | p50 | p99 | answers over the rounds (status: count) | errors |\n|---|---|---|---|---|---|\n", rt.name)
		for _, t := range targets {
			rs := res[rt.name][t.name]
			var r, a, b []float64
			statuses := map[int]int{}
			errs := 0
			for _, x := range rs {
				r = append(r, x.rps())
				a = append(a, float64(x.p50))
				b = append(b, float64(x.p99))
				for s, n := range x.statuses {
					statuses[s] += n
				}
				errs += x.errors
			}
			rps[rt.name][t.name], p50[rt.name][t.name] = median(r), median(a)
			fmt.Fprintf(w, "| %s | %.0f | %s | %s | %s | %d |\n", t.name, median(r),
				dur(median(a)), dur(median(b)), statusText(statuses), errs)
		}
	}
	fmt.Fprintln(w, "\nRatios (idvkit to each peer, medians of the rounds):")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| route | 2xx/s idvkit ÷ Prism | 2xx/s idvkit ÷ bare | p50 idvkit ÷ Prism | p50 idvkit ÷ bare |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	for _, rt := range routes {
		r, l := rps[rt.name], p50[rt.name]
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", rt.name,
			ratio(r["idvkit"], r["prism"]), ratio(r["idvkit"], r["bare"]),
			ratio(l["idvkit"], l["prism"]), ratio(l["idvkit"], l["bare"]))
	}
}

func ratio(a, b float64) string {
	if a == 0 || b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

func dur(ns float64) string {
	d := time.Duration(ns)
	switch {
	case d >= time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d)/1e6)
	default:
		return fmt.Sprintf("%.0f µs", float64(d)/1e3)
	}
}

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

func statusText(m map[int]int) string {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%d: %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

// printRatios reads `go test -bench` output and prints, per benchmark, each variant's
// medians (ns/op, cpu-ns/op when reported, B/op, allocs/op) and its ratio to the first
// variant seen: of CPU time per operation when reported (see internal/benchcpu), since
// wall time on a shared machine also counts other processes, else of ns/op.
func printRatios(w io.Writer, file string) error {
	var in io.Reader = os.Stdin
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	var benches []string
	order := map[string][]string{}
	vars := map[string]map[string]map[string][]float64{} // bench → variant → unit → runs
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		bench, sub, v, ok := parseBenchLine(sc.Text())
		if !ok {
			continue
		}
		if vars[bench] == nil {
			vars[bench] = map[string]map[string][]float64{}
			benches = append(benches, bench)
		}
		x := vars[bench][sub]
		if x == nil {
			x = map[string][]float64{}
			vars[bench][sub] = x
			order[bench] = append(order[bench], sub)
		}
		for unit, val := range v {
			x[unit] = append(x[unit], val)
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	for _, bench := range benches {
		first := vars[bench][order[bench][0]]
		unit := "ns/op"
		if len(first["cpu-ns/op"]) > 0 {
			unit = "cpu-ns/op"
		}
		fmt.Fprintf(w, "\n%s\n\n| variant | ns/op | cpu-ns/op | B/op | allocs/op | %s ratio to %s | runs |\n|---|---|---|---|---|---|---|\n",
			bench, unit, order[bench][0])
		base := median(first[unit])
		for _, sub := range order[bench] {
			x := vars[bench][sub]
			cpu := "–"
			if len(x["cpu-ns/op"]) > 0 {
				cpu = thousands(median(x["cpu-ns/op"]))
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s | **%.2f×** | %d |\n", sub, thousands(median(x["ns/op"])), cpu,
				thousands(median(x["B/op"])), thousands(median(x["allocs/op"])), median(x[unit])/base, len(x["ns/op"]))
		}
	}
	return nil
}

// parseBenchLine reads "BenchmarkX/sub-2  1000  123 ns/op  45 B/op  6 allocs/op" into
// its name, variant ("-" for none) and value per unit.
func parseBenchLine(line string) (bench, sub string, v map[string]float64, ok bool) {
	f := strings.Fields(line)
	if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
		return "", "", nil, false
	}
	name := f[0]
	if i := strings.LastIndexByte(name, '-'); i > 0 {
		if _, err := strconv.Atoi(name[i+1:]); err == nil {
			name = name[:i] // the -GOMAXPROCS suffix
		}
	}
	bench, sub, found := strings.Cut(name, "/")
	if !found {
		sub = "-"
	}
	v = map[string]float64{}
	for i := 2; i+1 < len(f); i += 2 {
		x, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			continue
		}
		v[f[i+1]] = x
	}
	_, ok = v["ns/op"]
	return bench, sub, v, ok
}

func thousands(x float64) string {
	s := strconv.FormatFloat(x, 'f', 0, 64)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
