//! Folders dropped on the page (a clock's USB folder): a dropped folder's
//! `DataTransfer.files` holds the folder itself, not what is in it, so its files are found
//! by walking the browser's file system entries (`webkitGetAsEntry`), sub-folders included.
//! Plain `js_sys` calls: the entry API has callbacks only, and no promise is needed.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::File;

/// A walk under way: the files found, the callbacks still to come, what to do at the end.
struct Walk {
    files: Vec<File>,
    pending: usize,
    done: Option<Box<dyn FnOnce(Vec<File>)>>,
}

type Shared = Rc<RefCell<Walk>>;

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// Calls method `name` of `value` with `args`; Err when there is no such method or it threw.
fn call(value: &JsValue, name: &str, args: &[&JsValue]) -> Result<JsValue, JsValue> {
    let method: Function = get(value, name).dyn_into()?;
    method.apply(value, &args.iter().copied().collect::<Array>())
}

/// One callback has come (or will never come): at the last one, hands the files over.
fn settle(walk: &Shared) {
    let finished = {
        let mut w = walk.borrow_mut();
        w.pending -= 1;
        match w.pending {
            0 => w
                .done
                .take()
                .map(|done| (done, std::mem::take(&mut w.files))),
            _ => None,
        }
    };
    if let Some((done, mut files)) = finished {
        files.sort_by_key(File::name);
        done(files);
    }
}

/// Starts an entry API call that answers through `on_ok` (or an error callback).
fn expect(walk: &Shared, entry: &JsValue, name: &str, on_ok: impl FnOnce(JsValue) + 'static) {
    walk.borrow_mut().pending += 1;
    let (ok_walk, err_walk) = (walk.clone(), walk.clone());
    let ok = Closure::once_into_js(move |value: JsValue| {
        on_ok(value);
        settle(&ok_walk);
    });
    let err = Closure::once_into_js(move |_: JsValue| settle(&err_walk));
    if call(entry, name, &[&ok, &err]).is_err() {
        settle(walk);
    }
}

fn visit(walk: &Shared, entry: JsValue) {
    if get(&entry, "isDirectory").is_truthy() {
        if let Ok(reader) = call(&entry, "createReader", &[]) {
            read_folder(walk, reader);
        }
    } else if get(&entry, "isFile").is_truthy() {
        let found = walk.clone();
        expect(walk, &entry, "file", move |file| {
            if let Ok(file) = file.dyn_into::<File>() {
                found.borrow_mut().files.push(file);
            }
        });
    }
}

/// Reads a folder's entries in the batches the browser gives, until one comes back empty.
fn read_folder(walk: &Shared, reader: JsValue) {
    let (next, again) = (walk.clone(), reader.clone());
    expect(walk, &reader, "readEntries", move |entries| {
        let entries = Array::from(&entries);
        if entries.length() > 0 {
            entries.iter().for_each(|e| visit(&next, e));
            read_folder(&next, again);
        }
    });
}

/// When anything dropped (`data_transfer`) is a folder, walks every dropped folder and
/// file and calls `done` with all the files found; returns false (and calls nothing) when
/// no folder was dropped, so the caller takes `DataTransfer.files` as they are.
pub fn walk_dropped(data_transfer: &JsValue, done: impl FnOnce(Vec<File>) + 'static) -> bool {
    let items = get(data_transfer, "items");
    let count = get(&items, "length").as_f64().unwrap_or(0.0) as u32;
    // Entries must be taken while the drop event runs; they are read later.
    let entries: Vec<JsValue> = (0..count)
        .filter_map(|i| Reflect::get_u32(&items, i).ok())
        .filter_map(|item| call(&item, "webkitGetAsEntry", &[]).ok())
        .filter(JsValue::is_object)
        .collect();
    if !entries.iter().any(|e| get(e, "isDirectory").is_truthy()) {
        return false;
    }
    let walk = Rc::new(RefCell::new(Walk {
        files: Vec::new(),
        pending: 1,
        done: Some(Box::new(done)),
    }));
    entries.into_iter().for_each(|e| visit(&walk, e));
    settle(&walk);
    true
}
