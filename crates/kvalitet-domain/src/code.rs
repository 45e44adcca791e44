//! Stable codes for enumerations: how they are stored, written in data files and sent in
//! the API. Codes are English snake_case and never change once released; what users see
//! is a Swedish label chosen by the presentation layer.

/// An enumeration with a stable text code.
pub trait Code: Sized + Copy + 'static {
    /// Every value, in display order.
    const ALL: &'static [Self];

    fn code(self) -> &'static str;

    fn from_code(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.code() == code)
    }
}

/// Declares a fieldless enum with its codes, serde support through the codes, and
/// `Code` implemented.
#[macro_export]
macro_rules! coded_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name { $($(#[$vmeta])* $variant),+ }

        impl $crate::code::Code for $name {
            const ALL: &'static [Self] = &[$(Self::$variant),+];
            fn code(self) -> &'static str {
                match self { $(Self::$variant => $code),+ }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str($crate::code::Code::code(*self))
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                <Self as $crate::code::Code>::from_code(&s).ok_or_else(|| {
                    let all: Vec<&str> = <Self as $crate::code::Code>::ALL
                        .iter()
                        .map(|v| $crate::code::Code::code(*v))
                        .collect();
                    serde::de::Error::custom(format!(
                        "okänt värde \"{s}\", tillåtna värden: {}",
                        all.join(", ")
                    ))
                })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str($crate::code::Code::code(*self))
            }
        }
    };
}
