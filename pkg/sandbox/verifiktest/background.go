package verifiktest

// The criminal background check add-on.

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
)

func (s *server) RequestCriminalCheck(ctx context.Context, req smartenroll.RequestCriminalCheckRequestObject) (smartenroll.RequestCriminalCheckResponseObject, error) {
	force := req.Body != nil && deref(req.Body.Force)
	v, fail := s.e.criminalCheck(ctx, req.Id, force)
	if fail == nil {
		return smartenroll.RequestCriminalCheck200JSONResponse{Data: v}, nil
	}
	switch fail.status {
	case http.StatusUnauthorized:
		return smartenroll.RequestCriminalCheck401JSONResponse{UnauthorizedJSONResponse: smartenroll.UnauthorizedJSONResponse(fail.body)}, nil
	case http.StatusForbidden:
		return smartenroll.RequestCriminalCheck403JSONResponse{ForbiddenJSONResponse: smartenroll.ForbiddenJSONResponse(fail.body)}, nil
	case http.StatusNotFound:
		return smartenroll.RequestCriminalCheck404JSONResponse(fail.body), nil
	case http.StatusConflict:
		return smartenroll.RequestCriminalCheck409JSONResponse(fail.body), nil
	}
	return nil, fail
}

// criminalCheck searches the flow's databases for the person read from the document.
// The emulated databases know the last names of the watchlist.
func (e *Emulator) criminalCheck(ctx context.Context, id string, force bool) (smartenroll.InformationValidation, *apiError) {
	c := e.callerOf(ctx)
	e.mu.Lock()
	defer e.mu.Unlock()
	var reg *registration
	switch {
	case c.regID != "":
		var fail *apiError
		if reg, fail = e.needRegistrant(c); fail != nil {
			return smartenroll.InformationValidation{}, fail
		}
	case c.client == nil:
		return smartenroll.InformationValidation{}, unauthorized()
	}
	info, ok := e.infoVals[id]
	var owner *registration
	if ok {
		owner = e.regs[info.reg]
		ok = owner != nil && (c.client == nil || owner.client == c.client.id)
	}
	if !ok {
		return smartenroll.InformationValidation{}, reason(http.StatusNotFound, smartenroll.ErrorCodeInformationValidationNotFound)
	}
	if reg != nil && owner.id != reg.id {
		return smartenroll.InformationValidation{}, forbidden() // another registrant's check
	}
	reg = owner
	f := e.flows[reg.flow]
	if f == nil || !f.verifyCriminal() {
		return smartenroll.InformationValidation{}, reason(http.StatusConflict, smartenroll.ErrorCodeFeatureNotAvailable)
	}
	if d := e.docVals[reg.docVal]; d == nil || !d.readable || !info.checkedWithDocument {
		return smartenroll.InformationValidation{}, classic(http.StatusConflict, smartenroll.ErrorCodeConflict, "409:documentValidation_not_set")
	}
	if info.criminal != nil && !force {
		return info.view(), nil
	}
	now := e.clock.Now()
	hit := false
	for _, name := range e.watchlist {
		if strings.EqualFold(strings.TrimSpace(name), strings.TrimSpace(info.last)) {
			hit = true
		}
	}
	info.criminal = criminalData(deref(f.settings.Document.CriminalEndpoints), hit, now)
	status := smartenroll.InformationActive
	if hit {
		status = smartenroll.InformationFailed
	}
	info.status, info.updated = &status, now
	hookID, _ := e.webhookTarget(reg.flow)
	e.emit(reg.flow, "information_validation_background_check", info.view(), map[string]any{"webhook": hookID})
	return info.view(), nil
}

func criminalData(endpoints []string, hit bool, now time.Time) *smartenroll.CriminalData {
	st := smartenroll.DatabaseClear
	if hit {
		st = smartenroll.DatabaseFound
	}
	cd := &smartenroll.CriminalData{RequestedAt: ptr(now), FoundKeys: &[]string{}}
	found := func(key string) {
		if hit {
			*cd.FoundKeys = append(*cd.FoundKeys, key)
		}
	}
	for _, ep := range endpoints {
		switch ep {
		case "world_api_interpol":
			cards := 0
			if hit {
				cards = 1
			}
			cd.WorldApiInterpol = &smartenroll.InterpolResult{TotalCards: ptr(cards), Status: ptr(st)}
		case "world_api_fbi":
			cd.WorldApiFbi = &smartenroll.FBIResult{FoundInFBI: ptr(hit), Status: ptr(st)}
		case "world_api_europol":
			cd.WorldApiEuropol = &smartenroll.EuropolResult{FoundInEuropol: ptr(hit), Status: ptr(st)}
		case "world_api_onu":
			cd.WorldApiOnu = &smartenroll.UNResult{FoundInONU: ptr(hit), Status: ptr(st)}
		case "world_api_ofac":
			cd.WorldApiOfac = &smartenroll.OFACResult{FoundInOFAC: ptr(hit), Status: ptr(st)}
		case "world_api_dea":
			cd.WorldApiDea = &smartenroll.DEAResult{FoundInDEA: ptr(hit), Status: ptr(st)}
		default:
			continue // local databases are not emulated
		}
		found(ep)
	}
	return cd
}
