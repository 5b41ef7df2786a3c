// import.go owns Import: copying another store's series into this one
// under a key prefix, which is how two recorded runs are overlaid.
package store

import "fmt"

// Import copies every series of src into st under prefix+key (prefix
// "b/" turns "flow/1/cwnd" into "b/flow/1/cwnd"), data, tiers and
// counters included, so the copies answer every query as the originals
// do. src may be in use: each series is copied under its lock. A key that
// exists in st already, or an invalid prefixed key, is an error and
// nothing after it is copied.
func (st *Store) Import(src *Store, prefix string) error {
	for _, k := range src.Keys() {
		key := prefix + k
		if err := CheckKey(key); err != nil {
			return fmt.Errorf("store: import: %w", err)
		}
		s := src.Lookup(k)
		c := s.clone(key)
		st.mu.Lock()
		if _, ok := st.series[key]; ok {
			st.mu.Unlock()
			return fmt.Errorf("store: import: %q exists already", key)
		}
		st.series[key] = c
		st.created++
		st.mu.Unlock()
	}
	return nil
}

// clone is a deep copy of s under another key.
func (s *Series) clone(key string) *Series {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &Series{key: key, meta: s.meta, recent: s.recent, pts: s.pts.clone(),
		lastT: s.lastT, appended: s.appended, clamped: s.clamped}
	c.tiers = make([]tier, len(s.tiers))
	for i, t := range s.tiers {
		c.tiers[i] = tier{width: t.width, ring: t.ring.clone(), tailEnd: t.tailEnd}
	}
	return c
}

// clone copies the ring, compacted to the front of a buffer of its size.
func (r *ring[T]) clone() ring[T] {
	c := ring[T]{limit: r.limit, n: r.n}
	if len(r.buf) > 0 {
		c.buf = make([]T, len(r.buf))
		r.copyTo(c.buf)
	}
	return c
}
