package verisoultest

import (
	"encoding/json"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/idvkit/idvkit/gen/verisoul/facematch"
	"github.com/idvkit/idvkit/gen/verisoul/idcheck"
)

// Risk weights: the score is the weight of the worst flag raised (0.05 with none). The
// vendor's example pairs repeat_face with 0.8 and repeat_id with 1.
var flagWeight = map[string]float32{
	"repeat_face":             0.8,
	"repeat_id":               1,
	"likely_fake_id":          1,
	"low_id_face_match_score": 0.7,
	"id_expired":              0.6,
	"id_age_below_16":         0.6,
}

// fakeFlags make the decision Fake; any other flag makes it Suspicious.
var fakeFlags = []string{"repeat_face", "repeat_id", "likely_fake_id"}

// buildVerification assembles verify-face's result, and verify-id's for ID Check
// sessions. Callers hold e.mu.
func (e *Emulator) buildVerification(s *session, links []link) verification {
	now := e.clock.Now().UTC()
	var flags []string
	for _, t := range []string{"face", "document_number"} {
		for _, l := range links {
			if slices.Contains(l.types, t) {
				flags = append(flags, map[string]string{"face": "repeat_face", "document_number": "repeat_id"}[t])
				break
			}
		}
	}
	var docSignals *idcheck.DocumentSignals
	var docData *idcheck.DocumentData
	if s.product == IDCheck && s.document != nil {
		var docFlags []string
		docSignals, docData, docFlags = documentResult(s, now)
		flags = append(flags, docFlags...)
	}

	decision, score := facematch.Real, float32(0.05)
	for _, f := range flags {
		score = max(score, flagWeight[f])
		if slices.Contains(fakeFlags, f) {
			decision = facematch.Fake
		} else if decision == facematch.Real {
			decision = facematch.Suspicious
		}
	}
	riskFlags := make([]facematch.RiskFlag, 0, len(flags))
	for _, f := range flags {
		riskFlags = append(riskFlags, facematch.RiskFlag(f))
	}

	md := facematch.Metadata{
		ProjectId: ptr(uuid.MustParse(s.project.ID)),
		SessionId: ptr(uuid.MustParse(s.id)),
		RequestId: ptr(requestID()),
		Timestamp: &now,
	}
	if s.accountID != "" {
		md.AccountId = ptr(s.accountID)
	}
	if s.referring != "" {
		md.ReferringSessionId = ptr(uuid.MustParse(s.referring))
	}

	linked := make([]facematch.LinkedAccount, 0, len(links))
	for _, l := range links {
		types := make([]facematch.MatchType, 0, len(l.types))
		for _, t := range l.types {
			types = append(types, facematch.MatchType(t))
		}
		linked = append(linked, facematch.LinkedAccount{AccountId: ptr(l.account), MatchTypes: &types})
	}

	media := "https://storage.googleapis.com/facematch-sandbox/" + s.id + "/"
	photos := facematch.PhotoURLs{Face: ptr(media + "face.jpg")}
	if s.product == IDCheck {
		photos.IdScanFront = ptr(media + "id_scan_front.jpg")
		photos.IdScanBack = ptr(media + "id_scan_back.jpg")
	}
	videos := []string{media + "session_video_" + now.Format("20060102150405") + ".webm"}

	zero, low := float32(0), float32(0.0001)
	res := facematch.VerifyFaceResponse{
		Metadata:  &md,
		Decision:  &decision,
		RiskScore: &score,
		RiskFlags: &riskFlags,
		PhotoUrls: &photos,
		VideoUrls: &videos,
		SessionData: &facematch.SessionData{
			TrueCountryCode: ptr("US"),
			Network: &facematch.SessionNetwork{
				IpAddress:       ptr(s.ip),
				ServiceProvider: ptr("Sandbox Networks"),
				ConnectionType:  ptr("isp"),
			},
			Location: &facematch.SessionLocation{
				Continent: ptr("NA"), CountryCode: ptr("US"), State: ptr("Texas"), City: ptr("Austin"),
				ZipCode: ptr("78758"), Timezone: ptr("America/Chicago"),
				Latitude: ptr(float32(30.3773)), Longitude: ptr(float32(-97.71)),
			},
			Browser: &facematch.SessionBrowser{
				Type: ptr("Chrome"), Version: ptr("135.0.0.0"), Language: ptr("en-US"),
				UserAgent: ptr("Mozilla/5.0 (idvkit sandbox) Chrome/135.0.0.0"), Timezone: ptr("America/Chicago"),
			},
			Device: &facematch.SessionDevice{
				Category: ptr(facematch.Desktop), Type: ptr("Mac"), Os: ptr("macOS 10.15.7"),
				CpuCores: ptr(8), Memory: ptr(8), Gpu: ptr("Sandbox GPU"),
			},
		},
		DeviceNetworkSignals: &facematch.DeviceNetworkSignals{
			DeviceRisk: ptr(float32(0.05)), Proxy: &zero, Vpn: &zero, Datacenter: &zero, Tor: &zero,
			SpoofedIp: &zero, RecentFraudIp: &zero, DeviceNetworkMismatch: &low, LocationSpoofing: &low,
		},
		Matches: &facematch.Matches{NumAccountsLinked: ptr(len(linked)), AccountsLinked: &linked},
	}
	if s.referring != "" {
		res.ReferringSessionSignals = &facematch.ReferringSessionSignals{
			ImpossibleTravel: &zero, IpMismatch: &zero, UserAgentMismatch: &zero,
			DeviceTimezoneMismatch: &low, IpTimezoneMismatch: &low,
		}
	}
	if s.product != IDCheck {
		return verification{face: res}
	}
	// The shared objects are the same schema in both specs, hence the same JSON.
	var id idcheck.VerifyIDResponse
	b, err := json.Marshal(res)
	if err == nil {
		err = json.Unmarshal(b, &id)
	}
	if err != nil {
		panic("verisoul sandbox: shared result shapes diverged: " + err.Error())
	}
	id.DocumentSignals, id.DocumentData = docSignals, docData
	return verification{id: id}
}

// documentResult reads the captured document the way ID Check reports it.
func documentResult(s *session, now time.Time) (*idcheck.DocumentSignals, *idcheck.DocumentData, []string) {
	d := s.document
	var flags []string
	age, ageKnown := ageOn(d.DateOfBirth, now)
	faceScore := float32(0.97)
	if d.Face != "" && d.Face != s.face {
		faceScore = 0.12
		flags = append(flags, "low_id_face_match_score")
	}
	validity, faceStatus, textStatus := idcheck.IDValidityLikelyAuthenticId, idcheck.IDFaceStatusLikelyOriginalFace, idcheck.IDTextStatusLikelyOriginalText
	if d.Fake {
		validity, faceStatus, textStatus = idcheck.IDValidityLikelyFakeId, idcheck.IDFaceStatusCannotConfirmIdIsAuthentic, idcheck.IDTextStatusCannotConfirmIdIsAuthentic
		flags = append(flags, "likely_fake_id")
	}
	if exp, err := time.Parse(time.DateOnly, d.Expiry); err == nil && exp.Before(now) {
		flags = append(flags, "id_expired")
	}
	if ageKnown && age < 16 {
		flags = append(flags, "id_age_below_16")
	}
	template, barcode := idcheck.TemplateTypeOther, idcheck.IDBarcodeStatusNoBarcodeSpecificedByTemplate
	switch d.Kind {
	case "driver_license", "state_id":
		template, barcode = idcheck.TemplateType(d.Kind), idcheck.IDBarcodeStatusSuccess
	case "passport", "national_id", "residence_permit":
		template = idcheck.TemplateType(d.Kind)
	}
	sig := &idcheck.DocumentSignals{
		IdFaceMatchScore: &faceScore,
		IdBarcodeStatus:  &barcode,
		IdFaceStatus:     &faceStatus,
		IdTextStatus:     &textStatus,
		IsIdDigitalSpoof: ptr(idcheck.LikelyPhysicalId),
		IsFullIdCaptured: ptr(idcheck.FullIdDetected),
		IdValidity:       &validity,
	}
	if ageKnown {
		sig.IdAge = &age
		sig.FaceAgeEstimate = faceAge(age)
	}
	issued := ""
	if exp, err := time.Parse(time.DateOnly, d.Expiry); err == nil {
		issued = exp.AddDate(-8, 0, 0).Format("01/02/2006")
	}
	data := &idcheck.DocumentData{
		TemplateInfo: &idcheck.TemplateInfo{DocumentCountryCode: ptr(d.Country), TemplateType: &template},
		UserData: &idcheck.UserData{
			FirstName:        ptr(d.FirstName),
			LastName:         ptr(d.LastName),
			DateOfBirth:      ptr(usDate(d.DateOfBirth)),
			DateOfExpiration: ptr(usDate(d.Expiry)),
			DateOfIssue:      ptr(issued),
			IdNumber:         ptr(d.Number),
		},
	}
	return sig, data, flags
}

// usDate writes an ISO date as MM/DD/YYYY, the newest vendor format.
func usDate(iso string) string {
	t, err := time.Parse(time.DateOnly, iso)
	if err != nil {
		return iso
	}
	return t.Format("01/02/2006")
}

func ageOn(dob string, now time.Time) (int, bool) {
	b, err := time.Parse(time.DateOnly, dob)
	if err != nil {
		return 0, false
	}
	age := now.Year() - b.Year()
	if now.Month() < b.Month() || (now.Month() == b.Month() && now.Day() < b.Day()) {
		age--
	}
	return age, true
}

// faceAge is the highest bracket the age clearly exceeds (the emulator's face looks its age).
func faceAge(age int) *idcheck.FaceAgeEstimate {
	brackets := []struct {
		min int
		v   idcheck.FaceAgeEstimate
	}{{65, "over65"}, {50, "over50"}, {40, "over40"}, {30, "over30"}, {25, "over25"},
		{21, "over21"}, {18, "over18"}, {16, "over16"}, {13, "over13"}, {8, "over8"}}
	for _, b := range brackets {
		if age >= b.min {
			return ptr(b.v)
		}
	}
	return ptr("under8")
}
