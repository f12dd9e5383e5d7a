package contract

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/routers"
)

// route is one operation with its path template compiled into per-segment matchers.
// Routing is ours rather than kin-openapi's routers because those match the spec's
// servers (hosts and base paths) and would miss httptest URLs and proxied prefixes.
type route struct {
	kin      *routers.Route
	opID     string
	segs     []segment
	literals int
	// declaredBody is the request size the spec declares (see declaredBodyBytes); 0 if none.
	declaredBody int64
}

type segment struct {
	lit   string         // literal segment, when re is nil
	re    *regexp.Regexp // a segment with {params}, e.g. "{id}" or "{id}.json"
	names []string
}

var paramRE = regexp.MustCompile(`\{([^{}]+)\}`)

func (s *Spec) buildRoutes() error {
	s.literals = map[string]bool{}
	paths := s.Doc.Paths.Map()
	tmpls := make([]string, 0, len(paths))
	for p := range paths {
		tmpls = append(tmpls, p)
	}
	slices.Sort(tmpls)
	for _, tmpl := range tmpls {
		item := paths[tmpl]
		segs, lits, err := compileTemplate(tmpl)
		if err != nil {
			return err
		}
		for _, sg := range segs {
			if sg.re == nil {
				s.literals[sg.lit] = true
			}
		}
		ops := item.Operations()
		methods := make([]string, 0, len(ops))
		for m := range ops {
			methods = append(methods, m)
		}
		slices.Sort(methods)
		for _, m := range methods {
			op := ops[m]
			id := op.OperationID
			if id == "" {
				id = m + " " + tmpl
			}
			s.routes = append(s.routes, &route{
				kin:      &routers.Route{Spec: s.Doc, Path: tmpl, PathItem: item, Method: m, Operation: op},
				opID:     id,
				segs:     segs,
				literals: lits,

				declaredBody: declaredBodyBytes(op),
			})
		}
	}
	return nil
}

func compileTemplate(tmpl string) ([]segment, int, error) {
	var segs []segment
	lits := 0
	for _, raw := range splitPath(tmpl) {
		if !strings.Contains(raw, "{") {
			segs = append(segs, segment{lit: raw})
			lits++
			continue
		}
		var names []string
		var b strings.Builder
		b.WriteString("^")
		last := 0
		for _, m := range paramRE.FindAllStringSubmatchIndex(raw, -1) {
			b.WriteString(regexp.QuoteMeta(raw[last:m[0]]))
			b.WriteString("(.+?)")
			names = append(names, raw[m[2]:m[3]])
			last = m[1]
		}
		b.WriteString(regexp.QuoteMeta(raw[last:]))
		b.WriteString("$")
		re, err := regexp.Compile(b.String())
		if err != nil {
			return nil, 0, fmt.Errorf("path template %q: %w", tmpl, err)
		}
		segs = append(segs, segment{re: re, names: names})
	}
	return segs, lits, nil
}

func splitPath(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// requestSegments splits the request path into unescaped segments.
func requestSegments(u *url.URL) []string {
	raw := splitPath(u.EscapedPath())
	for i, s := range raw {
		if v, err := url.PathUnescape(s); err == nil {
			raw[i] = v
		}
	}
	return raw
}

// match matches the template against the end of segs, so any base path prefix works.
func (rt *route) match(segs []string) (map[string]string, bool) {
	off := len(segs) - len(rt.segs)
	if off < 0 {
		return nil, false
	}
	var params map[string]string
	for i, sg := range rt.segs {
		v := segs[off+i]
		if sg.re == nil {
			if v != sg.lit {
				return nil, false
			}
			continue
		}
		m := sg.re.FindStringSubmatch(v)
		if m == nil {
			return nil, false
		}
		if params == nil {
			params = map[string]string{}
		}
		for j, n := range sg.names {
			params[n] = m[j+1]
		}
	}
	return params, true
}

// matchResult is the route a request resolved to.
type matchResult struct {
	spec   *Spec
	route  *route
	params map[string]string
	exact  bool // the template covered the whole path, no base prefix
}

// find returns the best route for r: a match of the whole path beats a match after a
// base prefix, more literal segments beat fewer, longer templates beat shorter ones.
func (s *Spec) find(r *http.Request) (matchResult, bool) {
	return s.findSegs(r.Method, requestSegments(r.URL))
}

func (s *Spec) findSegs(method string, segs []string) (matchResult, bool) {
	var best matchResult
	found := false
	for _, rt := range s.routes {
		if !strings.EqualFold(rt.kin.Method, method) {
			continue
		}
		params, ok := rt.match(segs)
		if !ok {
			continue
		}
		cand := matchResult{spec: s, route: rt, params: params, exact: len(rt.segs) == len(segs)}
		if !found || better(cand, best) {
			best, found = cand, true
		}
	}
	return best, found
}

func better(a, b matchResult) bool {
	if a.exact != b.exact {
		return a.exact
	}
	if a.route.literals != b.route.literals {
		return a.route.literals > b.route.literals
	}
	return len(a.route.segs) > len(b.route.segs)
}

// findAcross picks a route among several specs: an exact match in any spec beats a
// prefixed match; otherwise the first spec wins.
func findAcross(specs []*Spec, r *http.Request) (matchResult, bool) {
	segs := requestSegments(r.URL)
	var best matchResult
	found := false
	for _, s := range specs {
		m, ok := s.findSegs(r.Method, segs)
		if !ok {
			continue
		}
		if !found || (m.exact && !best.exact) {
			best, found = m, true
		}
		if best.exact {
			break
		}
	}
	return best, found
}

// FindOperation returns the operationId of the operation r resolves to, ignoring the
// spec's servers and any base path prefix.
func (s *Spec) FindOperation(r *http.Request) (opID string, ok bool) {
	m, ok := s.find(r)
	if !ok {
		return "", false
	}
	return m.route.opID, true
}

// noRoute builds the problem for a request no operation matches. Path segments no spec
// knows as literals are redacted: they may be tokens or ids.
func noRoute(r *http.Request, specs ...*Spec) Problem {
	segs := requestSegments(r.URL)
	for i, sg := range segs {
		known := false
		for _, s := range specs {
			if s.literals[sg] {
				known = true
				break
			}
		}
		if !known {
			segs[i] = "{…}"
		}
	}
	names := make([]string, 0, len(specs))
	for _, s := range specs {
		names = append(names, s.Name)
	}
	return Problem{
		Location: "route",
		Rule:     RuleNoRoute,
		Message: fmt.Sprintf("no operation in %s for %s /%s",
			strings.Join(names, ", "), r.Method, strings.Join(segs, "/")),
	}
}

// Documents reports whether operation opID of s documents status as an answer: the
// status itself, its range ("5XX") or a default response. An operation s does not hold
// documents nothing. Emulators use it to keep injected faults to answers the vendor
// documents, and clients to tell a documented 3xx from a redirect to follow.
func (s *Spec) Documents(opID string, status int) bool {
	if s == nil {
		return false
	}
	for _, rt := range s.routes {
		if rt.opID != opID || rt.kin.Operation == nil || rt.kin.Operation.Responses == nil {
			continue
		}
		rs := rt.kin.Operation.Responses
		class := strconv.Itoa(status / 100)
		return rs.Value(strconv.Itoa(status)) != nil || rs.Value(class+"XX") != nil || rs.Value(class+"xx") != nil || rs.Default() != nil
	}
	return false
}
