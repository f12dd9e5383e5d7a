package iproov

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/jpeg"
	"image/png"
	"mime/multipart"
	"net/textproto"

	"github.com/idvkit/idvkit/pkg/transport"
)

// Source says where a photo-enrol image comes from.
type Source string

// Image sources.
const (
	// SourceEID is a photo read from an electronic document's chip over NFC (passport DG2).
	SourceEID Source = "eid"
	// SourceOID is a photo cropped optically (OCR) from a document.
	SourceOID Source = "oid"
	// SourceSelfie is an existing trusted image of the user.
	SourceSelfie Source = "selfie"
)

// MaxImageBytes is iProov's cap on a photo-enrol image.
const MaxImageBytes = 2 << 20

// Photo is a trusted image to enrol a user from.
type Photo struct {
	// Image is a PNG, JPEG or JPEG 2000 of at most 2 MB, ideally ISO/IEC 19794-5 with 85
	// pixels or more between the eyes.
	Image []byte
	// Source is where the image comes from; iProov asks for the right one every time.
	Source Source
}

// imageType names the image's type by its magic bytes, or "" when it is none iProov takes.
func imageType(b []byte) (contentType, ext string) {
	switch {
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png", "png"
	case len(b) > 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF:
		return "image/jpeg", "jpg"
	case bytes.HasPrefix(b, []byte{0, 0, 0, 0x0c, 'j', 'P', ' ', ' ', '\r', '\n', 0x87, '\n'}),
		bytes.HasPrefix(b, []byte{0xff, 0x4f, 0xff, 0x51}):
		return "image/jp2", "jp2"
	}
	return "", ""
}

func (p Photo) check(op string) error {
	switch p.Source {
	case SourceEID, SourceOID, SourceSelfie:
	case "":
		return transport.Invalid(vendor, op, "source", "is empty; say eid, oid or selfie")
	default:
		return transport.Invalid(vendor, op, "source", "must be eid, oid or selfie")
	}
	switch {
	case len(p.Image) == 0:
		return transport.Invalid(vendor, op, "image", "is empty")
	case len(p.Image) > MaxImageBytes:
		return transport.Invalid(vendor, op, "image", "is larger than 2 MB")
	}
	ct, _ := imageType(p.Image)
	if ct == "" {
		return transport.Invalid(vendor, op, "image", "is not a PNG, JPEG or JPEG 2000")
	}
	if !readableHeader(ct, p.Image) {
		return transport.Invalid(vendor, op, "image", "starts like a "+ct+" but its header does not decode")
	}
	return nil
}

// readableHeader decodes the header of a PNG or JPEG (the standard library reads no
// JPEG 2000), so that truncated or mislabelled bytes are refused before they spend the
// claim token.
func readableHeader(contentType string, b []byte) bool {
	var err error
	switch contentType {
	case "image/png":
		_, err = png.DecodeConfig(bytes.NewReader(b))
	case "image/jpeg":
		_, err = jpeg.DecodeConfig(bytes.NewReader(b))
	}
	return err == nil
}

// PhotoEnrolment is what POST /claim/enrol/image answered.
type PhotoEnrolment struct {
	UserID string
	// Enrolled is iProov's `success`: false means the image could not be enrolled (for
	// example no usable face). The token is spent either way.
	Enrolled bool
}

// EnrolImage enrols the user of an enrol claim from a trusted photo (POST
// /claim/enrol/image, photo enrol). The user is active at once; no EnrolValidate follows.
// The claim must not be older than ClaimWindow, and is spent by this call.
//
// The call changes *enrol: Used becomes true as the token is sent, and stays true when the
// call fails after that (a vendor error, a lost answer), because iProov may have spent
// the token; it goes back to false only when the request provably never left. Store the
// claim again after the call, success or failure (see the example).
func (c *Client) EnrolImage(ctx context.Context, enrol *Claim, photo Photo) (*PhotoEnrolment, error) {
	const op = "userEnrolImage"
	if err := c.ready(op); err != nil {
		return nil, err
	}
	if err := checkClaim(op, enrol, Enrol); err != nil {
		return nil, err
	}
	if err := photo.check(op); err != nil {
		return nil, err
	}
	if !c.now().Before(enrol.ClaimBy()) {
		return nil, invalidState(op, ErrClaimExpired, "was issued more than 2 minutes ago; ask for a new token")
	}
	body, contentType := photoForm(c.apiKey, c.secret, enrol.Token, photo)
	if !c.spent.take(enrol.Token, c.now()) {
		return nil, invalidState(op, ErrClaimUsed, "was already used by this client; ask for a new token")
	}
	enrol.Used = true
	ctx = transport.WithOperation(ctx, op)
	res, err := c.api.UserEnrolImageWithBodyWithResponse(ctx, contentType, bytes.NewReader(body))
	if err != nil {
		err = c.tc.Wrap(ctx, op, err)
		c.unspend(enrol, err)
		return nil, err
	}
	if err := c.check(ctx, op, res.HTTPResponse, res.Body, res.JSON200 != nil, imageFields...); err != nil {
		return nil, err
	}
	return &PhotoEnrolment{UserID: res.JSON200.UserId, Enrolled: res.JSON200.Success}, nil
}

// unspend gives a token back when its use provably never left the machine.
func (c *Client) unspend(cl *Claim, err error) {
	if errors.Is(err, transport.ErrValidation) {
		c.spent.give(cl.Token)
		cl.Used = false
	}
}

// photoForm builds the multipart form iProov expects: credentials as form fields,
// rotation "0", the token, the source and the image part typed by its bytes.
func photoForm(apiKey, secret, token string, p Photo) ([]byte, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("api_key", apiKey)
	_ = mw.WriteField("secret", secret)
	_ = mw.WriteField("rotation", "0")
	_ = mw.WriteField("token", token)
	_ = mw.WriteField("source", string(p.Source))
	ct, ext := imageType(p.Image)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="image"; filename="image.%s"`, ext))
	h.Set("Content-Type", ct)
	w, _ := mw.CreatePart(h)
	_, _ = w.Write(p.Image)
	_ = mw.Close()
	return buf.Bytes(), mw.FormDataContentType()
}

// ErrPhotoNotEnrolled is returned by PhotoEnrol when iProov could not enrol the image.
var ErrPhotoNotEnrolled = errors.New("iproov: the photo could not be enrolled")

// PhotoEnrolRequest is the input of PhotoEnrol.
type PhotoEnrolRequest struct {
	TokenRequest
	Photo Photo
}

// PhotoEnrol runs iProov's photo enrol up to the user's step: enrol token → enrol image
// → verify token for the same user. Hand the returned verify claim's token to the client
// SDK, then call VerifyValidate. The enrol token uses the same assurance type as the
// verification, so a service provider with one assurance type only works too.
func (c *Client) PhotoEnrol(ctx context.Context, req PhotoEnrolRequest) (*Claim, error) {
	if err := c.ready("userEnrolServerToken"); err != nil {
		return nil, err
	}
	if err := req.Photo.check("userEnrolImage"); err != nil {
		return nil, err
	}
	enrol, err := c.EnrolToken(ctx, req.TokenRequest)
	if err != nil {
		return nil, err
	}
	enrolled, err := c.EnrolImage(ctx, enrol, req.Photo)
	if err != nil {
		return nil, err
	}
	if !enrolled.Enrolled {
		return nil, ErrPhotoNotEnrolled
	}
	verify := req.TokenRequest
	verify.UserID = enrol.UserID // a recovery may have changed it
	verify.IfEnrolled = IfEnrolled{}
	return c.VerifyToken(ctx, verify)
}
