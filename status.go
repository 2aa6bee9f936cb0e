package imperio

import (
	"errors"
	"net/http"
	"time"
)

// HTTPStatus maps an error code to the HTTP status that carries it. It is the
// only place that makes this choice.
func HTTPStatus(code string) int {
	switch code {
	case EInvalidInput, EBetOutOfRange:
		return http.StatusBadRequest
	case EUnauthorized, EInvalidCreds, ETOTPRequired:
		return http.StatusUnauthorized
	case EForbidden, ELossLimit:
		return http.StatusForbidden
	case ENotFound:
		return http.StatusNotFound
	case EUsernameTaken, EConflict, ESeatTaken, ERoomFull, EBettingClosed, ENotYourTurn:
		return http.StatusConflict
	case EInsufficientFunds:
		return http.StatusPaymentRequired
	case ERateLimited:
		return http.StatusTooManyRequests
	case ELocked:
		return http.StatusLocked
	case EUnavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// ErrorBody is the JSON body of an HTTP error answer:
// {"error":{"code":"...","message":"..."}}.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the code and player-safe message of an error answer.
type ErrorDetail struct {
	Code       string `json:"code"`
	Message    string `json:"message"`
	RetryAfter int    `json:"retry_after,omitempty"` // seconds, with rate_limited or locked
}

// NewErrorBody builds the answer body for err.
func NewErrorBody(err error) ErrorBody {
	d := ErrorDetail{Code: ErrorCode(err), Message: ErrorMessage(err)}
	var e *Error
	if errors.As(err, &e) && e.RetryAfter > 0 {
		d.RetryAfter = int((e.RetryAfter + time.Second - 1) / time.Second)
	}
	return ErrorBody{Error: d}
}
