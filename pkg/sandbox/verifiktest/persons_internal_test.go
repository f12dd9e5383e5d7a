package verifiktest

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// bruteDuplicate is the walk the index replaces: every person of the project.
func bruteDuplicate(e *Emulator, project, reg, face string, min float64) bool {
	for _, other := range e.persons {
		if other.project == project && other.reg != reg && faceScore(other.face, face) >= min {
			return true
		}
	}
	return false
}

// TestDuplicateIndexAgreesWithAWalk: on random galleries (faces repeat across projects
// and registrants, persons are removed again), the indexed search answers exactly as a
// walk of every person, at the default threshold and at thresholds only a walk can answer.
func TestDuplicateIndexAgreesWithAWalk(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	e := New()
	var ids []string
	for i := range 3000 {
		pr := &person{id: fmt.Sprint("p", i), project: fmt.Sprint("proj", rng.IntN(3)), reg: fmt.Sprint("r", rng.IntN(500)), face: fmt.Sprint("face", rng.IntN(400))}
		e.addPerson(pr)
		ids = append(ids, pr.id)
		if rng.IntN(4) == 0 { // forget one now and then, as a re-selfie or a deletion does
			e.removePerson(ids[rng.IntN(len(ids))])
		}
	}
	for _, min := range []float64{SameFaceScore, 0.9, 0.36, 0.3, 0.1} {
		for range 2000 {
			project, reg, face := fmt.Sprint("proj", rng.IntN(3)), fmt.Sprint("r", rng.IntN(500)), fmt.Sprint("face", rng.IntN(450))
			if got, want := e.duplicateOf(project, reg, face, min), bruteDuplicate(e, project, reg, face, min); got != want {
				t.Fatalf("duplicateOf(%s, %s, %s, %v) = %v, a walk says %v", project, reg, face, min, got, want)
			}
		}
	}
	for k, m := range e.byFace {
		for id, pr := range m {
			if e.persons[id] != pr || pr.project != k.project || pr.face != k.face {
				t.Fatalf("index holds %s under %v, the gallery does not agree", id, k)
			}
		}
	}
}

// BenchmarkDuplicateSearch: one selfie's duplicate search against a gallery of n persons
// at the default threshold; flat in n since the gallery is indexed.
func BenchmarkDuplicateSearch(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			e := New()
			for i := range n {
				e.addPerson(&person{id: fmt.Sprint("p", i), project: "proj", reg: fmt.Sprint("r", i), face: fmt.Sprint("face", i)})
			}
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				e.duplicateOf("proj", "new", fmt.Sprint("face", i%(2*n)), SameFaceScore)
			}
		})
	}
}

// BenchmarkDuplicateSearchWalk is the walk the index replaced, for the ratio in
// docs/BENCHMARKS.md.
func BenchmarkDuplicateSearchWalk(b *testing.B) {
	for _, n := range []int{1_000, 10_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			e := New()
			for i := range n {
				e.addPerson(&person{id: fmt.Sprint("p", i), project: "proj", reg: fmt.Sprint("r", i), face: fmt.Sprint("face", i)})
			}
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				bruteDuplicate(e, "proj", "new", fmt.Sprint("face", i%(2*n)), SameFaceScore)
			}
		})
	}
}
