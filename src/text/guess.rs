//! The code page of bytes that are not UTF-8: mostly UTF-8 with a few bad bytes, one of the
//! East Asian double-byte code pages (CP949, GBK, Big5, Shift_JIS), or Windows-1252.
//!
//! The double-byte code pages share most of their byte ranges, so one file often decodes
//! without an error in several of them. Each clean reading is scored by how many of its
//! characters are common in names and department words of its language; the best one wins,
//! and when another one is plausible too the reason says so and asks the user to choose.

use std::sync::OnceLock;

use super::{count_where, Detection, TextEncoding, SNIFF_WINDOW};

/// The East Asian code pages tried, in the order that wins a tie (BioStar is Korean).
const EAST_ASIAN: [TextEncoding; 4] = [
    TextEncoding::Cp949,
    TextEncoding::Gbk,
    TextEncoding::Big5,
    TextEncoding::ShiftJis,
];

/// Score from which a reading is plausible: about half its characters are common ones.
const PLAUSIBLE: f64 = 0.5;

/// How far another reading must score above a plausible CP949 one to win: BioStar is
/// Korean, and the bytes of many Hangul syllables also read as GBK Chinese surnames, so a
/// short Korean file may score a little higher as Chinese.
const KOREAN_MARGIN: f64 = 0.25;

/// Most non-ASCII characters of one reading that are scored (enough to judge, and cheap).
const SCORED_CHARS: usize = 20_000;

/// Hangul syllables common in Korean names, departments and CSV headers.
const COMMON_HANGUL: &str = "김이박최정강조윤장임한오서신권황안송류전홍고문양손배백허유남심노하곽성차주우구민진지엄채원천방공현함변염여추도소석선설마길연위표명기반라왕금옥육인맹제모탁국어은편용\
준수영호경희재훈동혁철상태종승숙미자순화빈나예아다혜규범근덕만병식열일찬창택환회효중욱웅건광봉섭세실애역익직청춘충치평필학해향형후휘흥란련령례로록룡륜률리림린립\
업총무개발관리부팀생산술연구회계재마케팅매품질물경영사원대과차번름카드호서용직급입화메그룹출보본공장센터시설비표실주임소획홍객스";

/// Han characters common in Chinese (simplified and traditional) and Japanese names,
/// departments and CSV headers, and the most frequent ones of running text.
const COMMON_HAN: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟\
陳劉張楊黃趙吳孫馬鄭羅謝許韓馮鄧蕭葉蘇呂盧鍾譚陸賈韋鄒閆賀顧龔錢嚴湯聶歐關蘭紀單駱藍饒蔣\
伟芳娜敏静丽强磊军洋勇艳杰娟涛超秀霞平刚英玉萍红建国志海波辉鹏斌宇浩凯俊峰飞云丹琳翔婷雪慧晶玲燕颖佳欣怡博晨帅鑫健东亮新春生荣福德清正永义雅倩莉琴薇蕾璐瑶婧嘉诗思子梓涵轩睿泽铭昊天宏彬坤晓霖\
偉麗強軍潔濤傑華紅國誌輝鵬飛雲穎寧陽帥東榮瑩曉\
的一是不了人我在有他这中大来上个到说们为你地出道也年得就那要下以会自着去之过家学对可她里后小么心多而能好都然没日起还发事只作当想看无开手十用主行又如前所本见经头面公同三已老从动两长知民样现分将外但身些与意进把法此实回二理点月其种声全工己话儿者情部名定女问力机给等几很业最间什打便位因重被走电四第门相次政口使教西再真听世气信北少并内加化由却代产入先山五太水市眼体别处总才场书比住员九笑性通目报立命活难神数件表原死常提感何更反合放做系计或利受光果亲界及今京务制解各任至清物台象记共风战干接它许八特觉望直服题南度统色字请交爱让认算论百吃义科怎元社术结六功指非流每青夫远资队跟带花快条院变联言权往展该领传近留治决保达办运半候七必城父步完革深区即求品士转量空甚众技轻程告语基派满式息写呢识极令收脸党倒未持取设始版双历越千片容研像找友孩站广改议形委早音火际则首据导影失拿网香似斯专若兵弟谁校读观争究包组造落视济喜离虽坏兴切销售财务采购质客编码班厂办室勤仓储备维修营心科\
銷門財務術發場產質採購總經員號編碼組廠辦後倉儲設備營處會計資訊開\
佐藤鈴木橋渡辺本村井崎森池阿川島岡谷後近遠青坂斉斎藤福西原竹内野郎子花健翔結衣美咲大輔直樹和也拓誠浩隆由紀恵久智裕真奈愛営総経製署番号氏係課支店社";

/// Counts of what the bytes of the sniff window look like as UTF-8.
#[derive(Debug, Default)]
struct Utf8Stats {
    chars: usize,
    invalid: usize,
}

/// Looks at `window` as UTF-8; `cut_short` when the file goes on past it.
fn utf8_stats(window: &[u8], cut_short: bool) -> Utf8Stats {
    let mut stats = Utf8Stats::default();
    let mut rest = window;
    loop {
        match std::str::from_utf8(rest) {
            Ok(valid) => {
                stats.chars += count_utf8_leads(valid.as_bytes());
                return stats;
            }
            Err(e) => {
                let (valid, after) = rest.split_at(e.valid_up_to());
                stats.chars += count_utf8_leads(valid);
                match e.error_len() {
                    Some(len) => {
                        stats.invalid += 1;
                        rest = after.get(len..).unwrap_or(&[]);
                    }
                    None => {
                        // An incomplete sequence at the end: only an error if the file ends here.
                        stats.invalid += usize::from(!cut_short);
                        return stats;
                    }
                }
            }
        }
    }
}

/// Non-ASCII characters in valid UTF-8 (their lead bytes).
fn count_utf8_leads(valid: &[u8]) -> usize {
    count_where(valid, |b| b >= 0xC0)
}

/// Accented Latin letters the bytes give in Windows-1252.
fn latin_letters(window: &[u8]) -> usize {
    window
        .iter()
        .filter(|&&b| {
            (0xC0..=0xFF).contains(&b) && b != 0xD7 && b != 0xF7
                || matches!(b, 0x83 | 0x8A | 0x8C | 0x8E | 0x9A | 0x9C | 0x9E | 0x9F)
        })
        .count()
}

/// One East Asian code page that decodes the window without an error, and how plausible
/// its text is (0 to 1: the weighted share of common characters).
#[derive(Debug, Clone, Copy, PartialEq)]
struct CjkReading {
    encoding: TextEncoding,
    score: f64,
}

/// The sorted characters of `list`, built once.
fn sorted_chars(cell: &'static OnceLock<Vec<char>>, list: &str) -> &'static [char] {
    cell.get_or_init(|| {
        let mut chars: Vec<char> = list.chars().collect();
        chars.sort_unstable();
        chars.dedup();
        chars
    })
}

/// True for a Hangul syllable in [`COMMON_HANGUL`].
fn common_hangul(c: char) -> bool {
    static SET: OnceLock<Vec<char>> = OnceLock::new();
    sorted_chars(&SET, COMMON_HANGUL).binary_search(&c).is_ok()
}

/// True for a Han character in [`COMMON_HAN`].
fn common_han(c: char) -> bool {
    static SET: OnceLock<Vec<char>> = OnceLock::new();
    sorted_chars(&SET, COMMON_HAN).binary_search(&c).is_ok()
}

/// The lead bytes of KS X 1001's Hangul rows in CP949 / EUC-KR (CP949's extension has
/// leads there too, with lower trails).
const HANGUL_LEADS: std::ops::RangeInclusive<u8> = 0xB0..=0xC8;
/// The trail bytes of KS X 1001's Hangul rows.
const HANGUL_TRAILS: std::ops::RangeInclusive<u8> = 0xA1..=0xFE;

/// True for a Hangul syllable of KS X 1001 (the 2,350 of EUC-KR), as opposed to the rare
/// ones only CP949's extension holds.
fn ks_x_1001_hangul(c: char) -> bool {
    let mut buf = [0u8; 4];
    let (bytes, _, unmappable) = encoding_rs::EUC_KR.encode(c.encode_utf8(&mut buf));
    !unmappable
        && bytes.first().is_some_and(|b| HANGUL_LEADS.contains(b))
        && bytes.get(1).is_some_and(|b| HANGUL_TRAILS.contains(b))
}

/// True when `window` has non-ASCII bytes and every one of them pairs up as a KS X 1001
/// Hangul syllable: Korean names, however uncommon their syllables, which Windows-1252
/// would read as pairs of accented letters and signs ("±è" for 김).
fn all_hangul_pairs(window: &[u8]) -> bool {
    let mut rest = window;
    let mut pairs = 0;
    while let Some(at) = rest.iter().position(|&b| b >= 0x80) {
        match rest.get(at..at + 2) {
            Some(&[lead, trail])
                if HANGUL_LEADS.contains(&lead) && HANGUL_TRAILS.contains(&trail) =>
            {
                pairs += 1;
                rest = &rest[at + 2..];
            }
            _ => return false,
        }
    }
    pairs > 0
}

/// How much one character says for `encoding`: 1 for a common one, less for a possible
/// but unusual one, 0 for one its users hardly write; None for one that says nothing
/// (punctuation, full-width forms).
fn weight(encoding: TextEncoding, c: char) -> Option<f64> {
    let hangul = ('\u{AC00}'..='\u{D7A3}').contains(&c);
    let han = ('\u{4E00}'..='\u{9FFF}').contains(&c)
        || ('\u{3400}'..='\u{4DBF}').contains(&c)
        || ('\u{F900}'..='\u{FAFF}').contains(&c);
    let kana = ('\u{3041}'..='\u{30FF}').contains(&c);
    let neutral = ('\u{3000}'..='\u{303F}').contains(&c)
        || ('\u{FF01}'..='\u{FF5E}').contains(&c)
        || ('\u{2000}'..='\u{206F}').contains(&c);
    if neutral && !kana {
        return None;
    }
    let w = match encoding {
        TextEncoding::Cp949 if hangul && common_hangul(c) => 1.0,
        TextEncoding::Cp949 if hangul && ks_x_1001_hangul(c) => 0.4,
        TextEncoding::Gbk | TextEncoding::Big5 | TextEncoding::ShiftJis if han => {
            if common_han(c) {
                1.0
            } else {
                0.2
            }
        }
        TextEncoding::ShiftJis if kana => 1.0,
        TextEncoding::ShiftJis if ('\u{FF61}'..='\u{FF9F}').contains(&c) => 0.2,
        _ => 0.0,
    };
    Some(w)
}

/// The reading of `window` in `encoding` with its score, or None when a byte does not
/// decode or no character says anything.
fn cjk_reading(encoding: TextEncoding, window: &[u8]) -> Option<CjkReading> {
    let text = encoding
        .table()
        .decode_without_bom_handling_and_without_replacement(window)?;
    let (mut total, mut counted) = (0.0, 0usize);
    for c in text.chars().filter(|c| !c.is_ascii()).take(SCORED_CHARS) {
        if let Some(w) = weight(encoding, c) {
            total += w;
            counted += 1;
        }
    }
    (counted > 0).then(|| CjkReading {
        encoding,
        score: total / counted as f64,
    })
}

/// The clean East Asian readings of `window`, best first.
fn cjk_readings(window: &[u8]) -> Vec<CjkReading> {
    let mut readings: Vec<CjkReading> = EAST_ASIAN
        .iter()
        .filter_map(|&encoding| cjk_reading(encoding, window))
        .collect();
    // A stable sort keeps the order of EAST_ASIAN on a tie.
    readings.sort_by(|a, b| b.score.total_cmp(&a.score));
    let best = readings.first().map_or(0.0, |r| r.score);
    let korean = readings.iter().position(|r| {
        r.encoding == TextEncoding::Cp949 && r.score >= PLAUSIBLE && best - r.score < KOREAN_MARGIN
    });
    if let Some(i) = korean {
        readings[..=i].rotate_right(1);
    }
    readings
}

/// The window judged: from the line of the first non-ASCII byte, at most [`SNIFF_WINDOW`]
/// bytes ending at a line end; and whether the file goes on past it.
fn sniff_window(bytes: &[u8], first_invalid: usize) -> (&[u8], bool) {
    let before = bytes.get(..first_invalid).unwrap_or(bytes);
    let first_non_ascii = before
        .iter()
        .position(|&b| b >= 0x80)
        .unwrap_or(before.len());
    // Start at the beginning of that line: line starts are character boundaries in every
    // candidate (a line feed is never part of a multi-byte character in these code pages).
    let start = bytes
        .get(..first_non_ascii)
        .and_then(|head| head.iter().rposition(|&b| b == b'\n'))
        .map_or(0, |p| p + 1);
    let mut end = bytes.len().min(start.saturating_add(SNIFF_WINDOW));
    if end < bytes.len() {
        if let Some(p) = bytes
            .get(start..end)
            .and_then(|w| w.iter().rposition(|&b| b == b'\n'))
        {
            end = start + p + 1;
        }
    }
    (bytes.get(start..end).unwrap_or(&[]), end < bytes.len())
}

/// The share of a reading as a percentage for the reason.
fn percent(score: f64) -> u32 {
    (score * 100.0).round() as u32
}

/// The reason for an East Asian reading, naming any other plausible one.
fn cjk_reason(first_invalid: usize, best: CjkReading, others: &[CjkReading]) -> String {
    let mut reason = format!(
        "not UTF-8 (invalid byte at {first_invalid}), but reads as {} without errors, {}% of its \
         characters common ones",
        best.encoding.label(),
        percent(best.score)
    );
    let rivals: Vec<String> = others
        .iter()
        .filter(|r| r.score >= PLAUSIBLE)
        .map(|r| format!("{} ({}%)", r.encoding.label(), percent(r.score)))
        .collect();
    if !rivals.is_empty() {
        reason.push_str(&format!(
            "; it also reads plausibly as {}: check the names and choose the file's code page \
             if they look wrong",
            rivals.join(" and ")
        ));
    }
    reason
}

/// The Windows-1252 reason, naming the closest East Asian reading when there was one.
fn latin_reason(first_invalid: usize, letters: usize, closest: Option<CjkReading>) -> String {
    let mut reason = format!("not UTF-8 (invalid byte at {first_invalid})");
    match closest {
        Some(r) => reason.push_str(&format!(
            " and no East Asian code page reads it plausibly (the closest, {}, gives only {}% \
             common characters)",
            r.encoding.label(),
            percent(r.score)
        )),
        None => reason.push_str(" and no East Asian code page reads it without errors"),
    }
    if letters > 0 {
        let s = if letters == 1 { "" } else { "s" };
        reason.push_str(&format!(
            "; read as Windows-1252, which gives {letters} accented Latin letter{s}"
        ));
    } else {
        reason.push_str(
            "; read as Windows-1252, but no accented letters were found: check the names and \
             choose another encoding if they look wrong",
        );
    }
    reason
}

/// Chooses UTF-8 (mostly valid), an East Asian code page or Windows-1252 for bytes that are
/// not valid UTF-8; `first_invalid` is where UTF-8 validation failed.
pub(super) fn guess_legacy(bytes: &[u8], first_invalid: usize) -> Detection {
    let (window, cut_short) = sniff_window(bytes, first_invalid);
    let utf8 = utf8_stats(window, cut_short);
    if utf8.chars > 0 && utf8.chars >= 10 * utf8.invalid {
        return Detection {
            encoding: TextEncoding::Utf8,
            reason: format!(
                "mostly UTF-8 ({} non-ASCII characters read fine), but with invalid bytes, the first at byte {first_invalid}; \
                 read as UTF-8 with the invalid bytes replaced by \u{FFFD}",
                utf8.chars
            ),
        };
    }
    let readings = cjk_readings(window);
    match readings.split_first() {
        Some((&best, others)) if best.score >= PLAUSIBLE => Detection {
            encoding: best.encoding,
            reason: cjk_reason(first_invalid, best, others),
        },
        // A short file of a few uncommon syllables scores low, yet is plainly Korean.
        _ if all_hangul_pairs(window) => Detection {
            encoding: TextEncoding::Cp949,
            reason: format!(
                "not UTF-8 (invalid byte at {first_invalid}), and every non-ASCII byte pairs up as a Hangul syllable of {}, though few are common ones: check the names and choose the file's code page if they look wrong",
                TextEncoding::Cp949.label()
            ),
        },
        _ => Detection {
            encoding: TextEncoding::Windows1252,
            reason: latin_reason(
                first_invalid,
                latin_letters(window),
                readings.first().copied(),
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(encoding: TextEncoding, text: &str) -> Vec<u8> {
        let (bytes, _, unmappable) = encoding.table().encode(text);
        assert!(!unmappable, "{text} must be encodable in {encoding:?}");
        bytes.into_owned()
    }

    fn detect(bytes: &[u8]) -> Detection {
        super::super::detect(bytes)
    }

    const GBK_NAMES: &str =
        "user_id,name,department\n1,王伟,销售部\n2,李娜,销售部\n3,张敏,销售部\n\
        4,刘洋,销售部\n5,陈静,财务部\n6,杨磊,技术部\n7,赵强,人事部\n8,黄军,销售部\n";

    #[test]
    fn gbk_chinese_names_are_not_taken_for_korean() {
        let bytes = encoded(TextEncoding::Gbk, GBK_NAMES);
        // The bytes decode without an error as CP949 too: that reading is the trap.
        assert!(cjk_reading(TextEncoding::Cp949, &bytes).is_some());
        let found = detect(&bytes);
        assert_eq!(found.encoding, TextEncoding::Gbk, "{}", found.reason);
        assert!(!found.reason.contains("Korean"), "{}", found.reason);
        let decoded = super::super::decode(bytes, None);
        assert_eq!(decoded.text, GBK_NAMES);
        assert_eq!(decoded.replacement_count, 0);
    }

    #[test]
    fn shift_jis_and_big5_names_are_recognised() {
        let sjis =
            "user_id,name,department\n1,山田太郎,営業部\n2,佐藤花子,営業部\n3,鈴木一郎,総務部\n";
        let found = detect(&encoded(TextEncoding::ShiftJis, sjis));
        assert_eq!(found.encoding, TextEncoding::ShiftJis, "{}", found.reason);
        let kana = "id,name\n1,やまだ たろう\n2,サトウ ハナコ\n";
        let found = detect(&encoded(TextEncoding::ShiftJis, kana));
        assert_eq!(found.encoding, TextEncoding::ShiftJis, "{}", found.reason);
        let big5 = "user_id,name,department\n1,陳大文,銷售部\n2,黃志明,財務部\n3,張國強,人事部\n";
        let found = detect(&encoded(TextEncoding::Big5, big5));
        assert_eq!(found.encoding, TextEncoding::Big5, "{}", found.reason);
    }

    #[test]
    fn korean_names_stay_cp949_and_latin_stays_windows_1252() {
        let korean =
            "사번,이름,부서\n1,김철수,영업부\n2,이영희,인사팀\n3,박지성,개발팀\n4,최민준,총무부\n";
        let found = detect(&encoded(TextEncoding::Cp949, korean));
        assert_eq!(found.encoding, TextEncoding::Cp949, "{}", found.reason);
        assert!(found.reason.contains("Korean"), "{}", found.reason);
        let found = detect(b"name\nJos\xe9 M\xfcller\n\xc4nne\n");
        assert_eq!(
            found.encoding,
            TextEncoding::Windows1252,
            "{}",
            found.reason
        );
    }

    #[test]
    fn a_short_korean_file_stays_cp949_where_its_bytes_read_as_chinese_too() {
        // 김달님 reads as GBK 辫崔丛, surnames among the common Han: a short file must not
        // turn Chinese over it; the other reading is named instead.
        for text in [
            "user_id,name\n1,김달님\n",
            "user_id,name\n1,김달님\n2,이루미\n",
        ] {
            let found = detect(&encoded(TextEncoding::Cp949, text));
            assert_eq!(
                found.encoding,
                TextEncoding::Cp949,
                "{text}: {}",
                found.reason
            );
        }
        // The Chinese file, whose CP949 reading is far less plausible, stays GBK.
        let found = detect(&encoded(TextEncoding::Gbk, GBK_NAMES));
        assert_eq!(found.encoding, TextEncoding::Gbk, "{}", found.reason);
    }

    #[test]
    fn a_tiny_file_of_uncommon_hangul_syllables_reads_as_cp949_not_windows_1252() {
        for text in [
            "user_id,name\n1,팽꿈\n",
            "user_id,name\n1,꽃님\n2,햇살\n3,뙤약\n",
        ] {
            let bytes = encoded(TextEncoding::Cp949, text);
            let found = detect(&bytes);
            assert_eq!(
                found.encoding,
                TextEncoding::Cp949,
                "{text}: {}",
                found.reason
            );
            assert!(
                found.reason.contains("pairs up as a Hangul syllable"),
                "{}",
                found.reason
            );
            assert_eq!(super::super::decode(bytes, None).text, text);
        }
        // A Western name: its accented letters pair with no Hangul trail.
        let found = detect(&encoded(
            TextEncoding::Windows1252,
            "user_id,name\n1,José Müller\n",
        ));
        assert_eq!(
            found.encoding,
            TextEncoding::Windows1252,
            "{}",
            found.reason
        );
        // Two accented letters side by side that do not make a Hangul pair stay Latin too.
        assert!(!all_hangul_pairs("Ça été".as_bytes()));
        assert!(!all_hangul_pairs(&encoded(
            TextEncoding::Windows1252,
            "Ça été"
        )));
        assert!(!all_hangul_pairs(b"plain"));
    }

    #[test]
    fn only_ks_x_1001_rows_count_as_standard_hangul() {
        assert!(ks_x_1001_hangul('가'));
        // 홒 is C3 4F in CP949: a lead of the KS X 1001 rows but an extension trail.
        assert!(!ks_x_1001_hangul('홒'));
    }

    #[test]
    fn two_plausible_readings_are_both_named() {
        let gbk = CjkReading {
            encoding: TextEncoding::Gbk,
            score: 0.9,
        };
        let korean = CjkReading {
            encoding: TextEncoding::Cp949,
            score: 0.6,
        };
        let reason = cjk_reason(3, gbk, &[korean]);
        assert!(reason.contains("also reads plausibly as CP949"), "{reason}");
        assert!(reason.contains("choose the file's code page"), "{reason}");
        let weak = CjkReading {
            score: 0.3,
            ..korean
        };
        let reason = cjk_reason(3, gbk, &[weak]);
        assert!(!reason.contains("also reads"), "{reason}");
    }
}
