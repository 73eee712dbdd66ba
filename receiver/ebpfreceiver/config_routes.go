package ebpfreceiver // import "github.com/ebpfreceiver/ebpfreceiver/receiver/ebpfreceiver"

import (
	"errors"
	"fmt"
	"slices"

	"github.com/ebpfreceiver/ebpfreceiver/internal/route"
)

// Values accepted by routes::unmatched.
const (
	RoutesHeuristic = "heuristic"
	RoutesPath      = "path"
	RoutesWildcard  = "wildcard"
)

// RoutesConfig sets http.route, and with it the span names and the metric
// series of HTTP calls.
type RoutesConfig struct {
	// Patterns are routes such as "/users/{id}": a {name} segment matches
	// any one segment, a last "*" segment the rest of the path. The first
	// pattern a path matches is its route.
	Patterns []string `mapstructure:"patterns"`
	// Unmatched is the route of a path no pattern matches: "heuristic"
	// (the path with segments that look like ids, numbers, hex strings,
	// UUIDs or dates replaced by {id} or {date}), "path" (the path as is:
	// unbounded cardinality, for trusted setups only) or "wildcard" ("/*").
	Unmatched string `mapstructure:"unmatched"`
	// Ignore lists patterns of requests to drop entirely, such as health
	// checks: neither span nor metric.
	Ignore []string `mapstructure:"ignore"`
}

func (c RoutesConfig) validate() error {
	var errs []error
	if _, err := route.ParseMode(c.Unmatched); err != nil {
		errs = append(errs, fmt.Errorf("routes::unmatched: %w", err))
	}
	if _, err := route.New(c.engineRoutes()); err != nil {
		errs = append(errs, fmt.Errorf("routes::%w", err))
	}
	return errors.Join(errs...)
}

// engineRoutes converts a validated configuration.
func (c RoutesConfig) engineRoutes() route.Config {
	mode, _ := route.ParseMode(c.Unmatched)
	return route.Config{Patterns: slices.Clone(c.Patterns), Unmatched: mode, Ignore: slices.Clone(c.Ignore)}
}
