package verifiktest

import (
	"crypto/sha256"
	"encoding/base64"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
	"github.com/idvkit/idvkit/pkg/sandbox"
)

// The emulator's records. Their views (the generated types) are what the API answers.

type project struct {
	id, client     string
	name           string
	countries      []string
	contactEmail   string
	privacyURL     string
	termsURL       string
	dataProtection *smartenroll.DataProtection
	branding       *smartenroll.Branding
	language       *string
	status         smartenroll.ProjectStatus
	demoMode       bool
	demoOTP        string
	collection     string // the biometric collection, set by the first flow with liveness
	flowCount      int    // its flows, for the DefaultMaxFlows cap
	regCount       int    // its registrations, for the DefaultMaxRegistrations cap
	created        time.Time
	updated        time.Time
}

func (p *project) view(flows []*smartenroll.ProjectFlowRef) smartenroll.Project {
	v := smartenroll.Project{
		ID:                    p.id,
		Client:                ptr(p.client),
		Name:                  ptr(p.name),
		AllowedCountries:      ptr(append([]string(nil), p.countries...)),
		ContactEmail:          ptr(p.contactEmail),
		PrivacyUrl:            ptr(p.privacyURL),
		TermsAndConditionsUrl: ptr(p.termsURL),
		DataProtection:        p.dataProtection,
		Branding:              p.branding,
		DefaultLanguage:       p.language,
		Status:                ptr(p.status),
		DemoMode:              ptr(p.demoMode),
		Version:               ptr(2.0),
		CreatedAt:             ptr(p.created),
		UpdatedAt:             ptr(p.updated),
	}
	if p.demoOTP != "" {
		v.DemoOTP = ptr(p.demoOTP)
	}
	if p.collection != "" {
		v.AssignedCollection = ptr(p.collection)
	}
	if flows != nil {
		v.ProjectFlows = flowList(flows)
	}
	return v
}

// flowList is a project's flows as its projectFlows field holds them (an array).
func flowList(refs []*smartenroll.ProjectFlowRef) *smartenroll.ProjectFlowList {
	items := make(smartenroll.ProjectFlowRefs, 0, len(refs))
	for _, r := range refs {
		items = append(items, *r)
	}
	var l smartenroll.ProjectFlowList
	_ = l.FromProjectFlowRefs(items)
	return &l
}

type flow struct {
	id, client, project string
	typ                 smartenroll.ProjectFlowType
	status              smartenroll.ProjectFlowStatus
	redirectURL         *string
	webhookURL          *string
	identityURL         *string
	webhook             *string
	systemForm          *string
	countries           *[]string
	settings            smartenroll.OnboardingSettings // defaults filled in
	security            smartenroll.FlowSecurity
	created             time.Time
	updated             time.Time
}

func (f *flow) view() smartenroll.ProjectFlow {
	return smartenroll.ProjectFlow{
		ID:                 f.id,
		Client:             ptr(f.client),
		Project:            ptr(f.project),
		Type:               ptr(f.typ),
		Status:             ptr(f.status),
		Version:            ptr(1.0),
		RedirectUrl:        f.redirectURL,
		WebhookUrl:         f.webhookURL,
		IdentityUrl:        f.identityURL,
		Webhook:            f.webhook,
		SystemForm:         f.systemForm,
		AllowedCountries:   f.countries,
		OnboardingSettings: ptr(f.settings),
		Security:           ptr(f.security),
		CreatedAt:          ptr(f.created),
		UpdatedAt:          ptr(f.updated),
		DocumentVersion:    ptr(0),
	}
}

// Step settings of a flow. Documented defaults: liveness 0.6, ACCURATE, search 0.9.
const (
	defaultLivenessMin = 0.6
	defaultSearchMin   = 0.9
	defaultCompareMin  = 0.67
	defaultMaxAttempts = 3
)

func (f *flow) step(name smartenroll.SyncStep) smartenroll.StepRequirement {
	s := f.settings.Steps
	var r *smartenroll.StepRequirement
	switch name {
	case smartenroll.StepSignUpForm:
		r = s.SignUpForm
	case smartenroll.StepBasicInformation:
		r = s.BasicInformation
	case smartenroll.StepDocument:
		r = s.Document
	case smartenroll.StepLiveness:
		r = s.Liveness
	case smartenroll.StepForm:
		r = s.Form
	default:
		return smartenroll.StepOptional
	}
	if r == nil {
		return smartenroll.StepSkip
	}
	return *r
}

func (f *flow) livenessMin() float64 { return deref(f.settings.Liveness.LivenessMinScore) }
func (f *flow) searchMin() float64   { return deref(f.settings.Liveness.SearchMinScore) }
func (f *flow) verifyNames() bool    { return deref(f.settings.Document.VerifyNames) }
func (f *flow) verifyCriminal() bool { return deref(f.settings.Document.VerifyCriminalHistory) }

// wantsEmail and wantsPhone say which codes the sign-up form requires.
func (f *flow) wantsEmail() bool {
	su := f.settings.SignUpForm
	return deref(su.Email) && deref(su.EmailGateway) != smartenroll.EmailGatewayNone
}

func (f *flow) wantsPhone() bool {
	su := f.settings.SignUpForm
	return deref(su.Phone) && deref(su.PhoneGateway) != smartenroll.PhoneGatewayNone
}

// withDefaults fills what the server fills: missing steps are skipped (the sign-up form is
// mandatory), and every group gets its documented defaults.
func withDefaults(in *smartenroll.OnboardingSettings) smartenroll.OnboardingSettings {
	var s smartenroll.OnboardingSettings
	if in != nil {
		s = *in
	}
	steps := smartenroll.OnboardingSteps{}
	if s.Steps != nil {
		steps = *s.Steps
	}
	orDefault := func(p **smartenroll.StepRequirement, d smartenroll.StepRequirement) {
		if *p == nil {
			*p = ptr(d)
		}
	}
	orDefault(&steps.SignUpForm, smartenroll.StepMandatory)
	orDefault(&steps.BasicInformation, smartenroll.StepSkip)
	orDefault(&steps.Document, smartenroll.StepSkip)
	orDefault(&steps.Liveness, smartenroll.StepSkip)
	orDefault(&steps.Form, smartenroll.StepSkip)
	s.Steps = &steps

	su := smartenroll.SignUpFormSettings{}
	if s.SignUpForm != nil {
		su = *s.SignUpForm
	}
	setDefault(&su.Email, true)
	setDefault(&su.EmailGateway, smartenroll.EmailGatewayMailgun)
	setDefault(&su.Phone, false)
	setDefault(&su.PhoneGateway, smartenroll.PhoneGatewayNone)
	setDefault(&su.FullName, true)
	s.SignUpForm = &su

	doc := smartenroll.DocumentSettings{}
	if s.Document != nil {
		doc = *s.Document
	}
	setDefault(&doc.CompareMinScore, defaultCompareMin)
	setDefault(&doc.MaxAttempts, defaultMaxAttempts)
	setDefault(&doc.ValidationMethod, smartenroll.CaptureScanPrompt)
	setDefault(&doc.VerifyNames, false)
	setDefault(&doc.VerifyCriminalHistory, false)
	setDefault(&doc.CriminalEndpoints, []string{"world_api_interpol", "world_api_fbi", "world_api_dea", "world_api_europol", "world_api_ofac", "world_api_onu"})
	s.Document = &doc

	lv := smartenroll.LivenessSettings{}
	if s.Liveness != nil {
		lv = *s.Liveness
	}
	setDefault(&lv.LivenessMinScore, defaultLivenessMin)
	setDefault(&lv.SearchMinScore, defaultSearchMin)
	setDefault(&lv.SearchMode, smartenroll.SearchAccurate)
	setDefault(&lv.MaxAttempts, defaultMaxAttempts)
	s.Liveness = &lv
	return s
}

// mergeSettings applies a partial update group by group.
func mergeSettings(cur smartenroll.OnboardingSettings, upd *smartenroll.OnboardingSettings) smartenroll.OnboardingSettings {
	if upd == nil {
		return cur
	}
	out := cur
	if upd.Steps != nil {
		steps := *cur.Steps
		overlay(&steps.SignUpForm, upd.Steps.SignUpForm)
		overlay(&steps.BasicInformation, upd.Steps.BasicInformation)
		overlay(&steps.Document, upd.Steps.Document)
		overlay(&steps.Liveness, upd.Steps.Liveness)
		overlay(&steps.Form, upd.Steps.Form)
		out.Steps = &steps
	}
	overlay(&out.SignUpForm, upd.SignUpForm)
	overlay(&out.BasicInformation, upd.BasicInformation)
	overlay(&out.Document, upd.Document)
	overlay(&out.Liveness, upd.Liveness)
	overlay(&out.RequiresSignature, upd.RequiresSignature)
	overlay(&out.HiddenLoginOption, upd.HiddenLoginOption)
	overlay(&out.Form, upd.Form)
	return withDefaults(&out)
}

func overlay[T any](dst **T, src *T) {
	if src != nil {
		*dst = src
	}
}

func setDefault[T any](p **T, v T) {
	if *p == nil {
		*p = &v
	}
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

type registration struct {
	id, client, project, flow string
	status                    smartenroll.AppRegistrationStatus
	email, phone, countryCode string
	fullName                  string
	firstName, lastName       string
	language                  string
	currentStep               string
	infoVal                   string
	emailVal, phoneVal        string
	docVal, bioVal            string
	person                    string
	face, docFace             string // face records
	compare                   string
	synced                    map[smartenroll.SyncStep]bool
	codes                     []codeRef // its email and phone validations, current or not
	created, updated          time.Time
	completed                 time.Time
}

// flowID is the registration's flow, "" for a nil registration.
func (r *registration) flowID() string {
	if r == nil {
		return ""
	}
	return r.flow
}

// declaredName is the name the registrant gave at sign-up.
func (r *registration) declaredName() (full, first, last string) {
	first, last = r.firstName, r.lastName
	full = r.fullName
	if full == "" {
		full = strings.TrimSpace(first + " " + last)
	}
	if first == "" && last == "" && full != "" {
		parts := strings.Fields(full)
		first = strings.Join(parts[:max(1, len(parts)-1)], " ")
		if len(parts) > 1 {
			last = parts[len(parts)-1]
		}
	}
	return full, first, last
}

// finished says whether the journey has ended.
func (r *registration) finished() bool {
	switch r.status {
	case smartenroll.AppRegistrationCompleted, smartenroll.AppRegistrationCompletedWithoutKYC, smartenroll.AppRegistrationFailed, smartenroll.AppRegistrationExpired:
		return true
	}
	return false
}

// inProgress is what the registrant steps require (STARTED or ONGOING).
func (r *registration) inProgress() bool {
	return r.status == smartenroll.AppRegistrationStarted || r.status == smartenroll.AppRegistrationOngoing
}

type emailValidation struct {
	id, reg, client, project, flow string
	email, code                    string
	status                         smartenroll.OTPStatus
	typ                            smartenroll.ValidationType
	method                         smartenroll.ValidationMethod
	ip                             *string
	expires, created, updated      time.Time
	queued                         bool // in the expiry queue (Emulator.codes)
}

func (v *emailValidation) view() smartenroll.EmailValidation {
	return smartenroll.EmailValidation{
		ID:               v.id,
		Status:           v.status,
		ValidationMethod: ptr(v.method),
		Type:             ptr(v.typ),
		Email:            ptr(v.email),
		Project:          ptr(v.project),
		ProjectFlow:      ptr(v.flow),
		Client:           ptr(v.client),
		IpAddress:        v.ip,
		ExtraParams:      &[]interface{}{},
		Requires2FA:      ptr(false),
		Deleted:          ptr(false),
		Otp:              ptr(fakeBcrypt(v.id, v.code)),
		ExpiresAt:        ptr(v.expires),
		CreatedAt:        ptr(v.created),
		UpdatedAt:        ptr(v.updated),
		DocumentVersion:  ptr(0),
	}
}

type phoneValidation struct {
	id, reg, client, project, flow string
	phone, countryCode, code       string
	gateway                        smartenroll.PhoneGateway
	status                         smartenroll.OTPStatus
	typ                            smartenroll.ValidationType
	language                       string
	expires, created, updated      time.Time
	queued                         bool // in the expiry queue (Emulator.codes)
}

func (v *phoneValidation) view() smartenroll.PhoneValidation {
	return smartenroll.PhoneValidation{
		ID:              v.id,
		Status:          v.status,
		Client:          ptr(v.client),
		Project:         ptr(v.project),
		ProjectFlow:     ptr(v.flow),
		CountryCode:     ptr(v.countryCode),
		Phone:           ptr(v.phone),
		PhoneGateway:    ptr(v.gateway),
		Otp:             ptr(fakeBcrypt(v.id, v.code)),
		ExpiresAt:       ptr(v.expires),
		PhoneData:       &smartenroll.PhoneData{},
		Type:            ptr(v.typ),
		Requires2FA:     ptr(false),
		Language:        ptr(v.language),
		CreatedAt:       ptr(v.created),
		UpdatedAt:       ptr(v.updated),
		DocumentVersion: ptr(0),
	}
}

// fakeBcrypt stands in for the bcrypt hash Verifik returns instead of the code: it has
// the shape of one and reveals nothing.
func fakeBcrypt(salt, code string) string {
	a := sha256.Sum256([]byte(salt + ":" + code))
	b := sha256.Sum256(a[:])
	enc := base64.RawStdEncoding.EncodeToString(append(a[:], b[:8]...))
	enc = strings.NewReplacer("+", ".").Replace(enc)
	return "$2a$10$" + enc[:53]
}

// nameScores compares two names the way the name validation reports it: 0–100 per part,
// and a match from 90 on the full name.
type nameScores struct {
	full, first, last float64
}

func (n nameScores) match() bool { return n.full >= 90 }

func compareNames(aFull, aFirst, aLast, bFull, bFirst, bLast string) nameScores {
	return nameScores{
		full:  similarity(aFull, bFull),
		first: similarity(aFirst, bFirst),
		last:  similarity(aLast, bLast),
	}
}

type documentValidation struct {
	id, reg, client, project, flow string
	doc                            sandbox.Document
	readable                       bool // a helper-made document the OCR could read
	expired                        bool
	docType, category              string
	status                         smartenroll.DocumentValidationStatus
	inputMethod                    string
	declared                       nameScores  // OCR names vs the registrant's names
	registry                       *nameScores // registry names vs the registrant's names, after name validation
	created, updated               time.Time
}

func (d *documentValidation) view() smartenroll.DocumentValidation {
	v := smartenroll.DocumentValidation{
		ID:               d.id,
		AppRegistration:  ptr(d.reg),
		Client:           ptr(d.client),
		Project:          ptr(d.project),
		ProjectFlow:      ptr(d.flow),
		DocumentType:     ptr(d.docType),
		DocumentCategory: ptr(d.category),
		Status:           ptr(d.status),
		ValidationMethod: ptr("OCR"),
		InputMethod:      ptr(d.inputMethod),
		ImageValidated:   ptr(d.readable && !d.doc.Fake && !d.expired),
		Type:             ptr(smartenroll.ValidationTypeOnboarding),
		CreatedAt:        ptr(d.created),
		UpdatedAt:        ptr(d.updated),
	}
	scores := d.declared
	if d.registry != nil {
		scores = *d.registry
	}
	v.NamesMatch = ptr(d.readable && scores.match())
	v.FullNameMatchPercentage = ptr(scores.full)
	v.FirstNameMatchPercentage = ptr(scores.first)
	v.LastNameMatchPercentage = ptr(scores.last)
	if d.readable {
		v.DocumentNumber = ptr(d.doc.Number)
		v.Country = ptr(d.doc.Country)
		v.OCRExtraction = &smartenroll.OCRExtraction{
			FirstName:      ptr(d.doc.FirstName),
			LastName:       ptr(d.doc.LastName),
			FullName:       ptr(d.fullName()),
			DocumentNumber: ptr(d.doc.Number),
			DateOfBirth:    ptr(d.doc.DateOfBirth),
			ExpirationDate: ptr(d.doc.Expiry),
			Nationality:    ptr(d.doc.Country),
		}
	}
	if d.registry != nil {
		v.InfoValidationSupported = ptr(true)
		v.ScoreValidation = &smartenroll.ScoreValidation{
			FullName:    ptr(d.fullName()),
			FirstName:   ptr(d.doc.FirstName),
			LastName:    ptr(d.doc.LastName),
			ValidatedAt: ptr(d.updated),
		}
	}
	return v
}

func (d *documentValidation) fullName() string {
	return strings.TrimSpace(d.doc.FirstName + " " + d.doc.LastName)
}

// documentKind maps a helper document to Verifik's type and category names. Name
// validation covers Panama CCPA, Colombia CC and Chile CL.
func documentKind(d sandbox.Document) (docType, category string, registry bool) {
	switch strings.ToLower(d.Kind) {
	case "passport":
		return "Passport", "ID", false
	case "driver_license", "license", "driving_license":
		return "License", "DL", false
	}
	switch strings.ToUpper(d.Country) {
	case "CO":
		return "CC", "ID", true
	case "PA":
		return "CCPA", "ID", true
	case "CL":
		return "CL", "ID", true
	}
	return "ID", "ID", false
}

type biometricValidation struct {
	id, reg  string
	face     string
	liveness float64
	passed   bool
	created  time.Time
}

func (b *biometricValidation) view() smartenroll.BiometricValidation {
	status := "validated"
	if !b.passed {
		status = "failed"
	}
	return smartenroll.BiometricValidation{
		ID:              b.id,
		AppRegistration: ptr(b.reg),
		Status:          ptr(status),
		Type:            ptr(smartenroll.ValidationTypeOnboarding),
		LivenessScore:   ptr(b.liveness),
		CreatedAt:       ptr(b.created),
	}
}

type person struct {
	id, project, reg string
	face             string
	created          time.Time
}

type informationValidation struct {
	id, reg             string
	first, last, full   string
	status              *smartenroll.InformationValidationStatus
	criminal            *smartenroll.CriminalData
	docType, docNumber  string
	created, updated    time.Time
	checkedWithDocument bool
}

func (i *informationValidation) view() smartenroll.InformationValidation {
	v := smartenroll.InformationValidation{
		ID:           i.id,
		Status:       i.status,
		CriminalData: i.criminal,
		CreatedAt:    ptr(i.created),
		UpdatedAt:    ptr(i.updated),
	}
	if i.first != "" {
		v.FirstName = ptr(i.first)
	}
	if i.last != "" {
		v.LastName = ptr(i.last)
	}
	if i.full != "" {
		v.FullName = ptr(i.full)
	}
	if i.docType != "" {
		v.DocumentType, v.DocumentNumber = ptr(i.docType), ptr(i.docNumber)
	}
	return v
}

type comparison struct {
	id, reg, client string
	score           float64
	mode            smartenroll.SearchMode
	gallery, probe  string
	created         time.Time
}

func (c *comparison) view() smartenroll.CompareFaceVerification {
	status := smartenroll.CompareSuccess
	return smartenroll.CompareFaceVerification{
		ID:         c.id,
		Client:     ptr(c.client),
		Type:       ptr("compare"),
		SearchMode: ptr(c.mode),
		Gallery:    &[]string{c.gallery},
		Probe:      &[]string{c.probe},
		Result: &smartenroll.CompareScore{
			Score: c.score,
			Faces: &[]smartenroll.CompareFace{{Id: ptr("face_1"), Score: ptr(c.score), Bbox: &[]float64{100, 150, 200, 250}}},
		},
		ComparedAt: ptr(c.created),
		Status:     &status,
		CreatedAt:  ptr(c.created),
		UpdatedAt:  ptr(c.created),
	}
}

// ---- scores ----

// faceScore is how alike two faces are: SameFaceScore for the same face, a low and
// stable score for two different ones.
func faceScore(a, b string) float64 {
	if a == b {
		return SameFaceScore
	}
	if a > b {
		a, b = b, a
	}
	h := sha256.Sum256([]byte(a + "\x00" + b))
	return round2(0.05 + float64(h[0])/255*0.30)
}

// selfieFace reads a selfie's face and liveness: a face named "alice@0.30" is alice
// presenting an attack that scores 0.30 (see SpoofSelfie); any other face is a present
// person (GenuineLiveness).
func selfieFace(name string) (face string, liveness float64) {
	if i := strings.LastIndex(name, "@"); i > 0 {
		if s, err := strconv.ParseFloat(name[i+1:], 64); err == nil && s >= 0 && s <= 1 {
			return name[:i], s
		}
	}
	return name, GenuineLiveness
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }

// similarity is 100 minus the edit distance as a percentage of the longer name.
func similarity(a, b string) float64 {
	a, b = normalizeName(a), normalizeName(b)
	if a == "" && b == "" {
		return 0
	}
	ra, rb := []rune(a), []rune(b)
	longest := max(len(ra), len(rb))
	return math.Round(100 * (1 - float64(levenshtein(ra, rb))/float64(longest)))
}

func normalizeName(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }

func levenshtein(a, b []rune) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
