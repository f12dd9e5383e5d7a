// Package verifik runs Verifik Smart Enroll onboarding journeys: a Client holding the
// account's client token sets up projects and flows, and a Registrant — one end user's
// app registration and token — walks the journey one vendor step per method.
package verifik
