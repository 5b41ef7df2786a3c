// store.go owns the Store: the set of named series, defining them with
// their metadata, looking them up, listing keys, and the store-wide version.
package store

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Store holds the named series of one run. Keys are hierarchical,
// "/"-separated strings: "flow/1/cwnd", "link/uplink/queue_bytes",
// "flow/2/owd". It is safe for one writer and many concurrent readers;
// writers should keep the *Series they append to rather than look it up on
// every append.
type Store struct {
	mu      sync.RWMutex
	series  map[string]*Series
	created uint64 // series ever created; part of Version
}

// NewStore returns an empty store.
func NewStore() *Store {
	return &Store{series: make(map[string]*Series)}
}

// Define creates the series key with meta (zero fields take the kind's
// defaults) and returns it. Defining an existing key with the same
// normalised meta returns the existing series; with a different meta it is
// an error, as are an invalid key (see CheckKey) or meta. Series may be
// defined at any time, also mid-run.
func (st *Store) Define(key string, meta Meta) (*Series, error) {
	if err := CheckKey(key); err != nil {
		return nil, fmt.Errorf("store: define: %w", err)
	}
	m, err := meta.normalize()
	if err != nil {
		return nil, fmt.Errorf("store: define %q: %w", key, err)
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if s, ok := st.series[key]; ok {
		if !s.meta.equal(m) {
			return nil, fmt.Errorf("store: define %q: already defined with different metadata", key)
		}
		return s, nil
	}
	return st.addLocked(key, m), nil
}

func (st *Store) addLocked(key string, m Meta) *Series {
	s := newSeries(key, m)
	st.series[key] = s
	st.created++
	return s
}

// Series returns the series key, creating it with the Gauge defaults if it
// does not exist. key must be valid (see CheckKey); an invalid key is a
// programming error and panics. Keys built from user input should go
// through Define, which returns an error instead.
func (st *Store) Series(key string) *Series {
	if s := st.Lookup(key); s != nil {
		return s
	}
	if err := CheckKey(key); err != nil {
		panic(fmt.Sprintf("store: Series: %v", err))
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if s, ok := st.series[key]; ok {
		return s
	}
	m, _ := Meta{}.normalize() // the defaults are valid
	return st.addLocked(key, m)
}

// Lookup returns the series key, or nil if it does not exist. Readers use
// it so that they never create series.
func (st *Store) Lookup(key string) *Series {
	st.mu.RLock()
	defer st.mu.RUnlock()
	return st.series[key]
}

// Keys returns every key, sorted.
func (st *Store) Keys() []string { return st.KeysWithPrefix("") }

// KeysWithPrefix returns the keys starting with prefix, sorted: "flow/1/"
// lists one flow's series.
func (st *Store) KeysWithPrefix(prefix string) []string {
	st.mu.RLock()
	keys := make([]string, 0, len(st.series))
	for k := range st.series {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	st.mu.RUnlock()
	sort.Strings(keys)
	return keys
}

// Meta returns the normalised metadata of key.
func (st *Store) Meta(key string) (Meta, bool) {
	s := st.Lookup(key)
	if s == nil {
		return Meta{}, false
	}
	return s.Meta(), true
}

// Version increases whenever a series is created or any series is
// appended to: a reader that saw the same version has nothing new to draw.
// It costs one read lock per series, nothing on the append path.
func (st *Store) Version() uint64 {
	st.mu.RLock()
	defer st.mu.RUnlock()
	v := st.created
	for _, s := range st.series {
		v += s.Version()
	}
	return v
}

// MaxBytes is the memory bound of the store's series: the sum of their
// Meta.MaxBytes. The whole store never holds more series data than this.
func (st *Store) MaxBytes() int {
	st.mu.RLock()
	defer st.mu.RUnlock()
	n := 0
	for _, s := range st.series {
		n += s.meta.MaxBytes()
	}
	return n
}
