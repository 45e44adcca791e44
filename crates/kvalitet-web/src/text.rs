//! Prose as stored (paragraphs separated by blank lines, list items starting with "- ")
//! turned into blocks a template renders as paragraphs and lists.

/// A paragraph, or a list when `items` is not empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub text: String,
    pub items: Vec<String>,
}

pub fn blocks(body: &str) -> Vec<Block> {
    let mut out = Vec::new();
    for chunk in body.split("\n\n") {
        let mut para = String::new();
        let mut items: Vec<String> = Vec::new();
        for line in chunk.lines().map(str::trim).filter(|l| !l.is_empty()) {
            if let Some(item) = line.strip_prefix("- ") {
                if !para.is_empty() {
                    out.push(Block { text: std::mem::take(&mut para), items: vec![] });
                }
                items.push(item.to_owned());
            } else if !items.is_empty() && para.is_empty() && line.chars().next().is_some_and(char::is_lowercase) {
                // A list item's text continued on the next line.
                let last = items.last_mut().expect("not empty");
                last.push(' ');
                last.push_str(line);
            } else {
                if !items.is_empty() {
                    out.push(Block { text: String::new(), items: std::mem::take(&mut items) });
                }
                if !para.is_empty() {
                    para.push(' ');
                }
                para.push_str(line);
            }
        }
        if !items.is_empty() {
            out.push(Block { text: String::new(), items });
        }
        if !para.is_empty() {
            out.push(Block { text: para, items: vec![] });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_and_lists() {
        let b = blocks("Första stycket\nfortsätter.\n\nInledning:\n- ett\n- två\nsom fortsätter\n\nSista.");
        assert_eq!(b.len(), 4);
        assert_eq!(b[0].text, "Första stycket fortsätter.");
        assert_eq!(b[1].text, "Inledning:");
        assert_eq!(b[2].items, vec!["ett".to_string(), "två som fortsätter".to_string()]);
        assert_eq!(b[3].text, "Sista.");
    }
}
