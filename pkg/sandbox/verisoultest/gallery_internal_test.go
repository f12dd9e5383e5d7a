package verisoultest

import (
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/sandbox"
)

// bruteLinks is links as it was before the gallery index: every account of the project,
// every session, compared field by field. The index must answer exactly as it does.
func bruteLinks(s *session) []link {
	var out []link
	for _, a := range s.project.accounts {
		if a.id == s.accountID {
			continue
		}
		var face, ip, number, name bool
		for _, o := range a.sessions {
			face = face || o.face == s.face
			ip = ip || (o.ip != "" && o.ip == s.ip)
			if s.document != nil && o.document != nil {
				number = number || (o.document.Number == s.document.Number && strings.EqualFold(o.document.Country, s.document.Country))
				name = name || (strings.EqualFold(o.document.FirstName, s.document.FirstName) &&
					strings.EqualFold(o.document.LastName, s.document.LastName))
			}
		}
		var types []string
		for _, t := range []struct {
			on   bool
			name string
		}{{face, "face"}, {ip, "ip_address"}, {number, "document_number"}, {name, "document_name"}} {
			if t.on {
				types = append(types, t.name)
			}
		}
		if len(types) > 0 {
			out = append(out, link{account: a.id, types: types})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].account < out[j].account })
	return out
}

// completed creates a session of the default project and settles it as face, from ip,
// showing doc (ID Check when doc is not nil), as Complete would.
func completed(t testing.TB, e *Emulator, face, ip string, doc *sandbox.Document) *session {
	product := FaceMatch
	if doc != nil {
		product = IDCheck
	}
	p := e.projects[strings.ToLower(DefaultProjectID)]
	s := e.newSession(p, product, "", "", false)
	require.NotNil(t, s)
	e.mu.Lock()
	s.state, s.face, s.ip, s.document = Completed, face, ip, doc
	e.place(s)
	e.mu.Unlock()
	return s
}

// TestGalleryLinksMatchBruteForce builds random galleries with few distinct values (so
// links abound: shared faces, addresses, numbers and names, several sessions per account,
// case and fold variants such as "ſ" and the Kelvin sign) and checks that every session's
// links, enrolled or not, are what a full scan finds.
func TestGalleryLinksMatchBruteForce(t *testing.T) {
	pick := func(r *rand.Rand, xs ...string) string { return xs[r.IntN(len(xs))] }
	for seed := range uint64(40) {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 11))
			e := New()
			p := e.projects[strings.ToLower(DefaultProjectID)]
			var all []*session
			for range 20 + r.IntN(80) {
				var doc *sandbox.Document
				if r.IntN(2) == 0 {
					doc = &sandbox.Document{
						Number:    pick(r, "D1", "D2", "d1", "D3"),
						Country:   pick(r, "US", "us", "Us", "GB", "ſ", "S", "\xff", "\xfe", "K", "\u212a"),
						FirstName: pick(r, "Alice", "alice", "ALICE", "Bob", "bob", "", "ß", "ẞ"),
						LastName:  pick(r, "Sandbox", "sandbox", "Other", ""),
					}
				}
				s := completed(t, e, pick(r, "alice", "bob", "carol", "", "Alice"), pick(r, "", "10.0.0.1", "10.0.0.2", "10.0.0.3"), doc)
				all = append(all, s)
				if r.IntN(4) != 0 {
					require.Empty(t, e.enroll(p, s.id, pick(r, "a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8")))
				}
			}
			for _, s := range all {
				assert.Equal(t, bruteLinks(s), e.links(s), "session %s (account %q)", s.id, s.accountID)
			}
		})
	}
}

// TestFoldKeyIsEqualFold: two strings share a foldKey exactly when strings.EqualFold
// holds them equal, which is what lets the gallery key documents by it.
func TestFoldKeyIsEqualFold(t *testing.T) {
	words := []string{"", "a", "A", "k", "K", "\u212a", "s", "S", "ſ", "ß", "ẞ", "ss", "SS", "σ", "ς", "Σ",
		"us", "US", "uſ", "\xff", "\xfe", "\ufffd", "İ", "i", "I", "ı", "Ǆ", "ǅ", "ǆ", "1", "é", "É", "e\u0301"}
	for _, a := range words {
		for _, b := range words {
			assert.Equal(t, strings.EqualFold(a, b), foldKey(a) == foldKey(b), "%q vs %q", a, b)
		}
	}
}

// galleryOf builds an emulator with n enrolled accounts, one face and one address each,
// and a completed, unenrolled session returning as account 0's face from its address: the
// repeat a 1:N check exists to find. Addresses are unique (not ipFor's, which a gallery
// of a million shares about eight to an address) so that the answer, one linked account,
// is the same at every size and the benchmark measures the gallery, not the answer.
func galleryOf(b *testing.B, n int) (*Emulator, *project, string) {
	b.Helper()
	e := New()
	p := e.projects[strings.ToLower(DefaultProjectID)]
	addr := func(i int) string { return fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255) }
	for i := range n {
		s := completed(b, e, fmt.Sprint("face-", i), addr(i), nil)
		if code := e.enroll(p, s.id, fmt.Sprint("account-", i)); code != "" {
			b.Fatal(code)
		}
	}
	probe := completed(b, e, "face-0", addr(0), nil)
	return e, p, probe.id
}

// galleries are the gallery sizes the scaling benchmarks run at; 1M only when
// IDVKIT_BENCH_LARGE=1, since building it takes about ten seconds.
func galleries() []int {
	sizes := []int{1_000, 10_000, 100_000}
	if os.Getenv("IDVKIT_BENCH_LARGE") == "1" {
		sizes = append(sizes, 1_000_000)
	}
	return sizes
}

func sizeName(n int) string {
	if n >= 1_000_000 {
		return fmt.Sprintf("accounts=%dM", n/1_000_000)
	}
	return fmt.Sprintf("accounts=%dk", n/1_000)
}

// BenchmarkVerifyFaceScaling is one 1:N verify-face (the emulator's side: look-up, links,
// the result) at each gallery size. Flat means the 100k (and 1M) figures stay within 2× of 1k.
func BenchmarkVerifyFaceScaling(b *testing.B) {
	for _, n := range galleries() {
		b.Run(sizeName(n), func(b *testing.B) {
			e, p, id := galleryOf(b, n)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, code := e.verify(p, id, FaceMatch); code != "" {
					b.Fatal(code)
				}
			}
		})
	}
}

// BenchmarkVerifyFaceScalingParallel runs the same verify-face from every core at once
// (b.RunParallel): verifies share a read lock, so ns/op falls as GOMAXPROCS grows.
func BenchmarkVerifyFaceScalingParallel(b *testing.B) {
	for _, n := range galleries() {
		b.Run(sizeName(n), func(b *testing.B) {
			e, p, id := galleryOf(b, n)
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, code := e.verify(p, id, FaceMatch); code != "" {
						b.Error(code)
						return
					}
				}
			})
		})
	}
}

// BenchmarkLinks compares the gallery index with the full scan it replaced (bruteLinks),
// on the same galleries: the scan grows with the accounts enrolled, the index does not.
func BenchmarkLinks(b *testing.B) {
	for _, n := range galleries() {
		e, _, id := galleryOf(b, n)
		s := e.sessions[id]
		for _, way := range []struct {
			name  string
			links func(*session) []link
		}{{"index", e.links}, {"scan", bruteLinks}} {
			b.Run(way.name+"/"+sizeName(n), func(b *testing.B) {
				if way.name == "scan" && n > 100_000 {
					b.Skip("a scan of a million accounts takes about a second a call")
				}
				for b.Loop() {
					way.links(s)
				}
			})
		}
	}
}
