package hdf5

// Object headers (format spec IV.A): a list of messages, possibly spread
// over continuation blocks, that say what an object is: a group (symbol
// table or link messages), a dataset (dataspace, datatype, layout, filters)
// and its attributes.

// Message types this package reads.
const (
	msgDataspace    = 0x01
	msgLinkInfo     = 0x02
	msgDatatype     = 0x03
	msgLink         = 0x06
	msgLayout       = 0x08
	msgFilters      = 0x0B
	msgAttribute    = 0x0C
	msgContinuation = 0x10
	msgSymbolTable  = 0x11
	msgAttrInfo     = 0x15

	maxBlocks = 256 // continuation blocks of one object header
)

// Object is a group or a dataset.
type Object struct {
	f    *File
	Path string // the path it was reached by, e.g. "/model_weights/dense"

	symtab     *symbolScratch // v1 B-tree and local heap of a symbol-table group
	links      []link         // the group's links (a symbol table's once read)
	linksRead  bool           // a symbol table's links are in links
	denseLinks *denseIndex    // links in a fractal heap (dense.go)
	isGroup    bool
	attrs      []*Attribute
	denseAttrs *denseIndex // attributes in a fractal heap, until read into attrs
	space      *dataspace
	dtype      *datatype
	layout     *layout
	filters    []filter
}

// block is a continuation block of an object header.
type block struct{ addr, size uint64 }

type message struct {
	typ   int
	flags int
	data  *reader
}

// object reads the object header at addr, once; scr is the symbol-table
// cache of the entry that pointed to it, if any.
func (f *File) object(addr uint64, path string, scr *symbolScratch) (*Object, error) {
	if o, ok := f.objects[addr]; ok {
		return o, nil
	}
	msgs, err := f.messages(addr, path)
	if err != nil {
		return nil, err
	}
	o := &Object{f: f, Path: path}
	for _, m := range msgs {
		if m.flags&0x02 != 0 && m.typ != msgContinuation {
			switch m.typ {
			case msgDatatype, msgDataspace, msgFilters, msgAttribute:
				return nil, errorf("%s: shared (committed) messages are not supported", path)
			}
		}
		switch m.typ {
		case msgSymbolTable:
			o.isGroup = true
			o.symtab = &symbolScratch{btree: m.data.offset(), heap: m.data.offset()}
		case msgLinkInfo:
			o.isGroup = true
			li := m.data
			li.u8() // version
			flags := li.u8()
			if flags&1 != 0 {
				li.skip(8)
			}
			if heap, names := li.offset(), li.offset(); heap != undefined {
				o.denseLinks = &denseIndex{heap: heap, names: names}
			}
		case msgLink:
			o.isGroup = true
			l, err := parseLink(m.data)
			if err != nil {
				return nil, err
			}
			o.links = append(o.links, l)
		case msgAttrInfo:
			ai := m.data
			ai.u8()
			flags := ai.u8()
			if flags&1 != 0 {
				ai.skip(2)
			}
			if heap, names := ai.offset(), ai.offset(); heap != undefined {
				o.denseAttrs = &denseIndex{heap: heap, names: names}
			}
		case msgAttribute:
			a, err := f.parseAttribute(m.data, path)
			if err != nil {
				return nil, err
			}
			o.attrs = append(o.attrs, a)
		case msgDataspace:
			if o.space, err = parseDataspace(m.data); err != nil {
				return nil, errorf("%s: %v", path, err)
			}
		case msgDatatype:
			if o.dtype, err = parseDatatype(m.data); err != nil {
				return nil, errorf("%s: %v", path, err)
			}
		case msgLayout:
			if o.layout, err = f.parseLayout(m.data); err != nil {
				return nil, errorf("%s: %v", path, err)
			}
		case msgFilters:
			if o.filters, err = parseFilters(m.data); err != nil {
				return nil, errorf("%s: %v", path, err)
			}
		}
		if m.data.err != nil {
			return nil, m.data.err
		}
	}
	if o.symtab == nil && scr != nil && o.layout == nil {
		o.symtab, o.isGroup = scr, true
	}
	f.objects[addr] = o
	return o, nil
}

// messages reads every message of the object header at addr, following
// continuation blocks; a block seen twice is a cycle.
func (f *File) messages(addr uint64, path string) ([]message, error) {
	r := f.at(addr, "object header of "+path)
	var msgs []message
	var queue []block
	version := 1
	if s := r.bytes(4); s != nil && string(s) == "OHDR" {
		version = r.u8()
		if version != 2 {
			return nil, errorf("%s: object header version %d is not supported", path, version)
		}
		flags := r.u8()
		if flags&0x20 != 0 {
			r.skip(16)
		}
		if flags&0x10 != 0 {
			r.skip(4)
		}
		size := r.uint(1 << (flags & 3))
		msgs = f.readMessages(r.sub(size, "object header of "+path), 2, flags, &queue, msgs)
		r.skip(4) // checksum
	} else if r.err == nil {
		r.pos -= 4
		if v := r.u8(); v != 1 {
			return nil, errorf("%s: object header version %d is not supported (want 1 or 2)", path, v)
		}
		r.skip(1)
		r.u16() // message count: the blocks' sizes bound the messages instead
		r.u32() // reference count
		size := r.u32()
		r.skip(4) // to 8-byte alignment
		msgs = f.readMessages(r.sub(size, "object header of "+path), 1, 0, &queue, msgs)
	}
	if r.err != nil {
		return nil, r.err
	}
	seen := map[uint64]bool{addr: true}
	for len(queue) > 0 {
		b := queue[0]
		queue = queue[1:]
		if seen[b.addr] {
			return nil, errorf("%s: object header continuation loops back to %d", path, b.addr)
		}
		if len(seen) > maxBlocks {
			return nil, errorf("%s: more than %d object header blocks", path, maxBlocks)
		}
		seen[b.addr] = true
		c := f.at(b.addr, "object header continuation of "+path)
		blk := c.sub(b.size, "object header continuation of "+path)
		if version == 2 {
			blk.magic("OCHK")
			if blk.remaining() < 4 {
				blk.fail("too short")
			}
			blk.end -= 4 // checksum
		}
		if blk.err != nil {
			return nil, blk.err
		}
		msgs = f.readMessages(blk, version, 0, &queue, msgs)
		if blk.err != nil {
			return nil, blk.err
		}
	}
	return msgs, nil
}

// readMessages appends the messages of one header block to msgs and the
// continuation blocks it names to queue.
func (f *File) readMessages(r *reader, version, hdrFlags int, queue *[]block, msgs []message) []message {
	for r.err == nil {
		var typ, size, flags int
		if version == 1 {
			if r.remaining() < 8 {
				break
			}
			typ, size, flags = r.u16(), r.u16(), r.u8()
			r.skip(3)
		} else {
			if r.remaining() < 4 {
				break // a gap
			}
			typ, size, flags = r.u8(), r.u16(), r.u8()
			if hdrFlags&0x04 != 0 {
				r.skip(2) // creation order
			}
		}
		if err := f.step(); err != nil {
			r.err = err
			break
		}
		data := r.sub(uint64(size), "message")
		if r.err != nil {
			break
		}
		if typ == msgContinuation {
			addr, length := data.offset(), data.length()
			if data.err != nil {
				r.err = data.err
				break
			}
			*queue = append(*queue, block{addr, length})
			continue
		}
		msgs = append(msgs, message{typ: typ, flags: flags, data: data})
	}
	return msgs
}
