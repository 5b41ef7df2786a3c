// ring.go owns the FIFO ring buffer behind every tier: it grows by doubling
// up to a hard limit and never allocates once grown.
package store

import "sort"

type ring[T any] struct {
	buf   []T
	head  int // index in buf of the oldest element
	n     int // elements held
	limit int // most elements ever held; len(buf) never exceeds it
}

func newRing[T any](limit int) ring[T] { return ring[T]{limit: limit} }

func (r *ring[T]) full() bool { return r.n >= r.limit }

// at returns the i-th oldest element, 0 ≤ i < n.
func (r *ring[T]) at(i int) *T {
	j := r.head + i
	if j >= len(r.buf) {
		j -= len(r.buf)
	}
	return &r.buf[j]
}

func (r *ring[T]) front() *T { return &r.buf[r.head] }
func (r *ring[T]) back() *T  { return r.at(r.n - 1) }

// push appends v as the newest element. The caller makes room first: push
// on a full ring is an internal error.
func (r *ring[T]) push(v T) {
	if r.n == len(r.buf) {
		r.grow()
	}
	j := r.head + r.n
	if j >= len(r.buf) {
		j -= len(r.buf)
	}
	r.buf[j] = v
	r.n++
}

// popFront removes and returns the oldest element; n must be > 0.
func (r *ring[T]) popFront() T {
	v := r.buf[r.head]
	r.head++
	if r.head == len(r.buf) {
		r.head = 0
	}
	r.n--
	return v
}

// truncate keeps the n oldest elements.
func (r *ring[T]) truncate(n int) { r.n = n }

func (r *ring[T]) grow() {
	c := 2 * len(r.buf)
	if c < 16 {
		c = 16
	}
	if c > r.limit {
		c = r.limit
	}
	if c <= len(r.buf) {
		panic("store: internal error: push on a full ring")
	}
	nb := make([]T, c)
	r.copyTo(nb)
	r.buf, r.head = nb, 0
}

// copyTo copies the elements oldest first into dst[:n] and returns n.
func (r *ring[T]) copyTo(dst []T) int {
	k := copy(dst[:r.n], r.buf[r.head:min(len(r.buf), r.head+r.n)])
	copy(dst[k:r.n], r.buf[:r.n-k])
	return r.n
}

// segments returns the elements from the i-th oldest on, as the one or two
// contiguous pieces of the buffer that hold them, oldest first.
func (r *ring[T]) segments(i int) (a, b []T) {
	if i >= r.n {
		return nil, nil
	}
	start, end := r.head+i, r.head+r.n
	if start >= len(r.buf) {
		return r.buf[start-len(r.buf) : end-len(r.buf)], nil
	}
	if end <= len(r.buf) {
		return r.buf[start:end], nil
	}
	return r.buf[start:], r.buf[:end-len(r.buf)]
}

// search returns the smallest i in [0, n) for which f(at(i)) is true, or n;
// f must be false then true over the ring's order.
func (r *ring[T]) search(f func(*T) bool) int {
	return sort.Search(r.n, func(i int) bool { return f(r.at(i)) })
}

// capBytes bounds the memory held by the buffer, elemBytes an element.
func (r *ring[T]) capBytes(elemBytes int) int {
	if len(r.buf) == 0 {
		return 0
	}
	return allocBytes(len(r.buf) * elemBytes)
}
