//! A few MB of hostile data file never makes the walk allocate more than a few MB, and a
//! read attendance log never takes more than 1.5 times its file: the allocator of this
//! test binary records the peak of live heap bytes. One test only, so nothing else
//! allocates alongside it.

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};

use bioport::archive::catalogue::{Catalogue, CATALOGUE_BUDGET};
use bioport::archive::compare::{compare, SHOWN_PATH};
use bioport::archive::repackage::{plan, repackage, PLAN_BYTES};
use bioport::archive::Direction;
use bioport::formats::data_file::{list, FindingKind, ListOptions};
use bioport::formats::zk_attlog::read_attlog_bytes;

/// The system allocator, counting live bytes and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(live, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// A tar header of `flag` claiming `size` bytes, checksummed.
fn header(path: &str, flag: u8, size: u64) -> Vec<u8> {
    let mut h = tar::Header::new_gnu();
    h.set_path(path).unwrap();
    h.set_entry_type(tar::EntryType::new(flag));
    h.set_size(size);
    h.set_cksum();
    h.as_bytes().to_vec()
}

/// `n` symbolic links (a finding each), then the end marker.
fn links(n: usize) -> Vec<u8> {
    let mut tar = Vec::new();
    for i in 0..n {
        let mut h = tar::Header::new_gnu();
        h.set_path(format!("link{i}")).unwrap();
        h.set_entry_type(tar::EntryType::Symlink);
        h.set_link_name("target").unwrap();
        h.set_cksum();
        tar.extend_from_slice(h.as_bytes());
    }
    tar.extend_from_slice(&[0; 1024]);
    tar
}

/// Gzip of `tar` and a MiB of zeros, followed by `more` members of a MiB of zeros each
/// (compressed once: gzip reads joined members on).
fn gzip(tar: &[u8], more: usize) -> Vec<u8> {
    let member = |bytes: &[u8]| {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(bytes).unwrap();
        gz.write_all(&vec![0u8; 1 << 20]).unwrap();
        gz.finish().unwrap()
    };
    let mut out = member(tar);
    let zeros = member(b"");
    for _ in 0..more {
        out.extend_from_slice(&zeros);
    }
    out
}

/// The peak of live heap bytes while `f` runs, above what was live before.
fn peak_during(f: impl FnOnce()) -> usize {
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    f();
    PEAK.load(Ordering::Relaxed) - before
}

#[test]
fn hostile_inputs_of_a_few_mb_keep_memory_flat() {
    let record = b"28 size=1000000000000000000\n";
    let mut pax = header("pax", b'x', record.len() as u64);
    pax.extend_from_slice(record);
    pax.resize(1024, 0);
    pax.extend_from_slice(&header("huge", b'0', 0));
    let cases: Vec<(&str, Vec<u8>, FindingKind)> = vec![
        (
            "a bomb",
            gzip(&header("bomb", b'0', 1 << 40), 16),
            FindingKind::Truncated,
        ),
        (
            "a 1 TB entry",
            gzip(&header("big", b'0', 1 << 40), 2),
            FindingKind::Truncated,
        ),
        (
            "a 10 GB long name",
            gzip(&header("././@LongLink", b'L', 10 << 30), 2),
            FindingKind::HeaderTooLarge,
        ),
        ("a PAX size of 10^18", gzip(&pax, 2), FindingKind::Truncated),
        (
            "5,000 links",
            gzip(&links(5_000), 2),
            FindingKind::FindingsLeftOut,
        ),
    ];
    for (what, tgz, expected) in cases {
        assert!(tgz.len() < 4 << 20, "{what}: {} bytes", tgz.len());
        let options = ListOptions { hash: true };
        let mut found = Vec::new();
        let peak = peak_during(|| {
            let listing = list(&tgz[..], options, &mut |_| {});
            found = listing.findings.iter().map(|f| f.kind).collect();
            let _ = repackage(&tgz[..], std::io::sink(), Direction::ToDevice);
        });
        assert!(found.contains(&expected), "{what}: {found:?}");
        eprintln!("{what}: peak {peak} bytes of heap");
        assert!(peak < 8 << 20, "{what}: peak {peak} bytes");
    }
    long_names_fill_the_screens_list_only_to_its_budget();
    a_log_of_distinct_ids_takes_under_one_and_a_half_times_its_file();
}

/// 400,000 punches of as many user IDs, short lines: the punches, every ID held once and
/// the duplicate search stay under 1.5 times the file, a grown buffer's copy counted (it
/// took 1.77 times when the search sorted a word a punch, the ID table outlived the read
/// and the punches were copied to shrink them).
fn a_log_of_distinct_ids_takes_under_one_and_a_half_times_its_file() {
    let mut log = Vec::new();
    for i in 0..400_000u32 {
        let day = 1 + i % 28;
        writeln!(
            log,
            "{}\t2024-03-{day:02} 08:00:00\t1\t0\t1\t0",
            10_000_000 + i
        )
        .unwrap();
    }
    let mut read = None;
    let peak = peak_during(|| read = Some(read_attlog_bytes(&log)));
    let read = read.unwrap();
    assert_eq!((read.punches.len(), read.ids.len()), (400_000, 400_000));
    let ratio = peak as f64 / log.len() as f64;
    eprintln!(
        "attlog of {} bytes: peak {peak} bytes of heap ({ratio:.2}x)",
        log.len()
    );
    assert!(
        ratio < 1.5,
        "peak {peak} bytes for a {}-byte log",
        log.len()
    );
}

/// About 1,000 entries, each with a 60,000-byte GNU long name unlike the one before: 60
/// MB of names (the walk reads them all, whatever the ratio) from under 2 MB
/// of file. The screen's catalogue keeps the first within its budget and counts the rest.
fn long_names_fill_the_screens_list_only_to_its_budget() {
    let mut tar = tar::Builder::new(Vec::new());
    for i in 0..1000u32 {
        let name = format!("{i:04}/{}/{i:04}", "BioStarX_face/".repeat(4285));
        let mut h = tar::Header::new_gnu();
        h.set_size(1);
        tar.append_data(&mut h, &name, &b"x"[..]).unwrap();
    }
    let tgz = gzip(&tar.into_inner().unwrap(), 0);
    assert!(tgz.len() < 2 << 20, "{} bytes", tgz.len());
    let mut catalogue = Catalogue::new();
    let mut entries = 0;
    let peak = peak_during(|| {
        let listing = list(&tgz[..], ListOptions::default(), &mut |e| catalogue.add(e));
        entries = listing.totals.entries;
        // Repeated long names inflate past 100:1: a note, no problem.
        assert!(listing.is_clean(), "{:?}", listing.findings);
    });
    eprintln!(
        "long names: peak {peak} bytes of heap, {} listed",
        catalogue.len()
    );
    assert_eq!(entries, 1000);
    assert!(
        (400..1000).contains(&catalogue.len()),
        "{}",
        catalogue.len()
    );
    assert_eq!(catalogue.len() as u64 + catalogue.unlisted(), 1000);
    assert!(peak < CATALOGUE_BUDGET + (8 << 20), "peak {peak} bytes");
    plan_and_compare_keep_what_they_show_within_bounds(&tgz);
}

/// The names of those 1,000 entries all change on a rename (120 MB of old and new
/// names): the plan keeps the first few MB of them and counts the rest. Compared with an
/// empty archive, all are removed, each kept with the start of its path.
fn plan_and_compare_keep_what_they_show_within_bounds(tgz: &[u8]) {
    let mut planned = None;
    let peak = peak_during(|| {
        planned = Some(plan(tgz, Direction::ToDevice));
    });
    let planned = planned.unwrap();
    eprintln!(
        "plan: peak {peak} bytes of heap, {} names kept",
        planned.renames.len()
    );
    assert_eq!((planned.entries, planned.renamed), (1000, 1000));
    assert!(
        (30..40).contains(&planned.renames.len()),
        "{}",
        planned.renames.len()
    );
    assert!(peak < PLAN_BYTES + (8 << 20), "peak {peak} bytes");
    let empty = gzip(&[0u8; 1024], 0);
    let mut removed = Vec::new();
    let peak = peak_during(|| {
        removed = compare(tgz, &empty[..]).removed;
    });
    eprintln!("compare: peak {peak} bytes of heap");
    assert_eq!(removed.len(), 1000);
    assert!(
        removed[0].path.len() < SHOWN_PATH + 40,
        "{}",
        removed[0].path.len()
    );
    assert!(
        removed[0].path.ends_with("… (60000 bytes in all)"),
        "{}",
        &removed[0].path[SHOWN_PATH - 20..]
    );
    assert!(peak < 8 << 20, "peak {peak} bytes");
}
