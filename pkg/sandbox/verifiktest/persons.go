package verifiktest

// The person gallery: every registrant's enrolled face, searched for duplicates on each
// selfie. A walk of every person per selfie made building a gallery of N cost O(N²);
// persons are indexed by (project, face) instead, so a search costs O(1) whenever only an
// identical face can reach the flow's threshold — that is, when the threshold is above
// maxOtherFaceScore, the most two different faces ever score (see faceScore). A flow that
// sets its threshold lower still gets the exact answer from a walk of the project's persons.

// maxOtherFaceScore is the highest faceScore of two different faces: 0.05 + 0.30.
const maxOtherFaceScore = 0.35

type faceKey struct{ project, face string }

// addPerson records pr in the gallery and its index. Call with e.mu held.
func (e *Emulator) addPerson(pr *person) {
	e.persons[pr.id] = pr
	k := faceKey{pr.project, pr.face}
	if e.byFace[k] == nil {
		e.byFace[k] = map[string]*person{}
	}
	e.byFace[k][pr.id] = pr
}

// removePerson forgets the person id (nothing if unknown). Call with e.mu held.
func (e *Emulator) removePerson(id string) {
	pr := e.persons[id]
	if pr == nil {
		return
	}
	delete(e.persons, id)
	k := faceKey{pr.project, pr.face}
	delete(e.byFace[k], id)
	if len(e.byFace[k]) == 0 {
		delete(e.byFace, k)
	}
}

// duplicateOf reports whether a person of project other than registration reg shows a
// face scoring min or more against face. Call with e.mu held.
func (e *Emulator) duplicateOf(project, reg, face string, min float64) bool {
	if min > maxOtherFaceScore {
		for _, other := range e.byFace[faceKey{project, face}] {
			if other.reg != reg {
				return true
			}
		}
		return false
	}
	for _, other := range e.persons {
		if other.project == project && other.reg != reg && faceScore(other.face, face) >= min {
			return true
		}
	}
	return false
}
