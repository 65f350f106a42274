//! Pinyin keys for searching Chinese names with a Latin keyboard: the full
//! spelling (`shebaoka`) and the initials (`sbk`), with the other readings
//! of heteronyms (银行 is `yinhang`, not only `yinxing`).

use pinyin::{ToPinyin, ToPinyinMulti};

/// Most spellings kept per text (one per heteronym reading, bounded).
const MAX_VARIANTS: usize = 6;

/// The pinyin spellings of a text: `(full, initials)` pairs, the default
/// reading first. Characters without pinyin (digits, Latin letters) are kept
/// as they are, lowercased; punctuation is dropped.
pub fn spellings(text: &str) -> Vec<(String, String)> {
    let mut full = String::new();
    let mut initials: Vec<char> = Vec::new();
    // (index in `initials`, byte range in `full`, other readings)
    let mut alternatives: Vec<(usize, usize, usize, Vec<&'static str>)> = Vec::new();
    for (character, reading) in text.chars().zip(text.to_pinyin()) {
        match reading {
            Some(reading) => {
                let plain = reading.plain();
                let others: Vec<&'static str> = character
                    .to_pinyin_multi()
                    .map(|multi| {
                        multi
                            .into_iter()
                            .map(|candidate| candidate.plain())
                            .filter(|candidate| *candidate != plain)
                            .collect()
                    })
                    .unwrap_or_default();
                if !others.is_empty() {
                    alternatives.push((initials.len(), full.len(), plain.len(), others));
                }
                full.push_str(plain);
                initials.extend(plain.chars().next());
            }
            None if character.is_alphanumeric() => {
                for lower in character.to_lowercase() {
                    full.push(lower);
                    initials.push(lower);
                }
            }
            None => {}
        }
    }
    let mut out = vec![(full.clone(), initials.iter().collect::<String>())];
    for (index, start, length, others) in alternatives {
        for other in others {
            if out.len() >= MAX_VARIANTS {
                return out;
            }
            let mut variant = full.clone();
            variant.replace_range(start..start + length, other);
            let mut variant_initials = initials.clone();
            if let (Some(slot), Some(first)) =
                (variant_initials.get_mut(index), other.chars().next())
            {
                *slot = first;
            }
            if !out.iter().any(|(existing, _)| *existing == variant) {
                out.push((variant, variant_initials.into_iter().collect()));
            }
        }
    }
    out
}

/// The stored search keys of a text: its full spellings and its initials,
/// each space-separated (the form `CatalogueIndex::build` reads).
pub fn keys(text: &str) -> (String, String) {
    let spelled = spellings(text);
    let full = spelled
        .iter()
        .map(|(full, _)| full.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let initials = spelled
        .iter()
        .map(|(_, initials)| initials.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    (full, initials)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spells_names() {
        let spelled = spellings("社会保障卡");
        assert_eq!(
            spelled[0],
            ("shehuibaozhangka".to_owned(), "shbzk".to_owned())
        );
        let bank = spellings("中国银行");
        assert!(
            bank.iter()
                .any(|(full, initials)| full == "zhongguoyinhang" && initials == "zgyh"),
            "{bank:?}"
        );
        assert_eq!(
            spellings("ETC 办理")[0],
            ("etcbanli".to_owned(), "etcbl".to_owned())
        );
    }
}
