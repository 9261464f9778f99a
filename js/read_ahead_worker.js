// bioport's read-ahead worker: reads a File that bioport's worker sends it, in slices, on
// its own thread, and hands each slice back (transferred, not copied) while bioport's
// worker works on the one before. The browser's reading of a file on disk then overlaps
// bioport's work instead of waiting its turn. It reads only what it is sent and never
// makes a request.
//
// Messages in:  { id, file, chunk, depth, start, step }
//                                           start reading `file` (replaces any read):
//                                           slices start, start + step, ... of `chunk`
//                                           bytes (one worker of `step` reading alike)
//               { id, more: true }          the worker took a slice: one more may come
//               { id, stop: true }          stop
// Messages out: { hello: true } once loaded; { id, bytes } per slice, in order;
//               { id, done: true } after the last; { id, error } if the browser failed.
'use strict';

let current = null;
const reader = new FileReaderSync();

function pump(read) {
  while (current === read && read.credits > 0 && read.at < read.file.size) {
    const end = Math.min(read.at + read.chunk, read.file.size);
    const next = read.at + read.chunk * read.step;
    let bytes;
    try {
      bytes = reader.readAsArrayBuffer(read.file.slice(read.at, end));
    } catch (err) {
      postMessage({ id: read.id, error: String((err && err.message) || err) });
      current = null;
      return;
    }
    read.at = next;
    read.credits -= 1;
    postMessage({ id: read.id, bytes }, [bytes]);
  }
  if (current === read && read.at >= read.file.size) {
    postMessage({ id: read.id, done: true });
    current = null;
  }
}

onmessage = (event) => {
  const m = event.data;
  if (m.file) {
    const step = m.step || 1;
    const at = (m.start || 0) * m.chunk;
    current = { id: m.id, file: m.file, chunk: m.chunk, credits: m.depth, at, step };
    pump(current);
  } else if (current && m.id === current.id) {
    if (m.stop) {
      current = null;
    } else {
      current.credits += 1;
      pump(current);
    }
  }
};

postMessage({ hello: true });
