// Package verisoul is idvkit's client for Verisoul Face Match and ID Check.
package verisoul
