package sink

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// Client talks to a running sink's control endpoints.
type Client struct {
	base string
	http *http.Client
}

// NewClient returns a client for the sink at addr (host:port).
func NewClient(addr string) *Client {
	return &Client{base: "http://" + addr, http: &http.Client{Timeout: 5 * time.Second}}
}

// Counts returns the counts since the last reset.
func (c *Client) Counts(ctx context.Context) (Counts, error) {
	var counts Counts
	resp, err := c.do(ctx, http.MethodGet, "/counts")
	if err != nil {
		return counts, err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&counts); err != nil {
		return counts, fmt.Errorf("decode sink counts: %w", err)
	}
	return counts, nil
}

// Reset sets every count to zero.
func (c *Client) Reset(ctx context.Context) error {
	resp, err := c.do(ctx, http.MethodPost, "/reset")
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// Settle polls the counts until they have not changed for quiet, or until
// spans reach wantSpans and have been still for a short while, or until
// limit has passed; it returns the last counts.
func (c *Client) Settle(ctx context.Context, wantSpans int64, quiet, limit time.Duration) (Counts, error) {
	const poll = 100 * time.Millisecond
	deadline := time.Now().Add(limit)
	last, err := c.Counts(ctx)
	if err != nil {
		return last, err
	}
	still := time.Now()
	for time.Now().Before(deadline) {
		if err := sleep(ctx, poll); err != nil {
			return last, err
		}
		now, err := c.Counts(ctx)
		if err != nil {
			return last, err
		}
		if !now.Equal(last) {
			last, still = now, time.Now()
			continue
		}
		stillFor := time.Since(still)
		if stillFor >= quiet || (wantSpans > 0 && now.Spans >= wantSpans && stillFor >= 3*poll) {
			break
		}
	}
	return last, nil
}

func (c *Client) do(ctx context.Context, method, path string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, nil)
	if err != nil {
		return nil, fmt.Errorf("%s sink %s: %w", method, path, err)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s sink %s: %w", method, path, err)
	}
	if resp.StatusCode/100 != 2 {
		resp.Body.Close()
		return nil, fmt.Errorf("%s sink %s: %s", method, path, resp.Status)
	}
	return resp, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
