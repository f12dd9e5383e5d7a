package verifik

// Why a Registrant has no method for Verifik's identity images (GET /v2/identity-images,
// getIdentityImages), when it has Refresh for the registration:
//
//   - Its answer is undocumented: Verifik's web SDK reads it with the registrant's token
//     to show the end screen, and all that is known is the {data: …} envelope. A method
//     could only hand back raw JSON that the next Verifik release may reshape.
//   - What it likely holds are the document and selfie images: biometric data this
//     package never keeps, logs or returns.
//   - A backend gains nothing from it: with idvkit the backend submitted those images
//     itself (SubmitDocument, SubmitSelfie), and what Verifik made of them is in Refresh,
//     Review and Client.Document.
//
// The operation stays in the spec, the emulator and the contract kit, so a front end that
// calls it the SDK's way is still checked.
