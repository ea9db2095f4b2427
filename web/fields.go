package web

// The types of the request fields a person fills in live in package
// requests, shared with the command line: amounts, decimals and dates
// travel as strings ("1234.50", "2021-03-15") and check themselves when
// huma decodes a request, so that every operation gets them valid and a
// refusal names the field at fault.

import "fundledger/requests"

// Amount is a positive amount of yuan with at most two decimals.
type Amount = requests.Amount

// Decimal is a decimal number ("3.25"); empty is zero.
type Decimal = requests.Decimal

// Date is a day, YYYY-MM-DD; empty is the zero time (the operation's default).
type Date = requests.Date
