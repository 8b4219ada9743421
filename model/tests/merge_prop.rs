//! Property: forks of a book that each apply random record edits merge to the same book in
//! every order, and no edit that was not concurrently overwritten is lost.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, HashMap};

use proptest::prelude::*;
use rukun_model::{Book, Device, GroupInit, Household, Person};

const FIELDS: [&str; 4] = ["alamat", "lantai", "kepala_keluarga", "rt"];

#[derive(Debug, Clone)]
enum Edit {
    /// Set a field of one of the three base households.
    Set {
        household: usize,
        field: usize,
        value: u8,
    },
    /// Add a person to one of the base households.
    AddPerson { household: usize, name: u8 },
    /// Survey a new household.
    AddHousehold { name: u8 },
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        3 => (0..3usize, 0..FIELDS.len(), any::<u8>())
            .prop_map(|(household, field, value)| Edit::Set { household, field, value }),
        1 => (0..3usize, any::<u8>()).prop_map(|(household, name)| Edit::AddPerson { household, name }),
        1 => any::<u8>().prop_map(|name| Edit::AddHousehold { name }),
    ]
}

fn init() -> GroupInit {
    GroupInit {
        name: "Warga Rukun".into(),
        kelurahan: "Sorosutan".into(),
        kode_wilayah: "34.71.13.1006".into(),
        rw: 8,
        rts: vec![27, 28],
        member_name: "Admin".into(),
    }
}

fn set(h: &mut Household, field: usize, value: u8) {
    match FIELDS[field] {
        "alamat" => h.alamat = format!("Jl. {value}"),
        "lantai" => h.lantai = format!("L{value}"),
        "kepala_keluarga" => h.kepala_keluarga = format!("K{value}"),
        _ => h.rt = u16::from(value) + 1,
    }
}

fn get(h: &Household, field: usize) -> String {
    match FIELDS[field] {
        "alamat" => h.alamat.clone(),
        "lantai" => h.lantai.clone(),
        "kepala_keluarga" => h.kepala_keluarga.clone(),
        _ => h.rt.to_string(),
    }
}

/// The whole book as comparable data.
fn snapshot(book: &Book) -> BTreeMap<String, Household> {
    book.households().into_iter().collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn any_merge_order_gives_the_same_book(
        edits in proptest::collection::vec(proptest::collection::vec(edit(), 0..8), 3)
    ) {
        let mut base = Book::new_in_memory(Device::from_seed(100), &init()).unwrap();
        let mut ids = Vec::new();
        for i in 0..3 {
            ids.push(base.add_household(Household {
                no_kk: rukun_model::rules::NoKk::from_stored(&format!("347113180408000{i}")),
                alamat: "Jl. Awal".into(),
                rt: 27,
                ..Default::default()
            }).unwrap());
            base.commit("base").unwrap();
        }
        let mut forks: Vec<Book> = (0..3).map(|i| base.replica_for(Device::from_seed(i))).collect();
        // Final value each fork wrote per (household, field), and what each fork added.
        let mut written: Vec<HashMap<(usize, usize), String>> = vec![HashMap::new(); 3];
        let mut added_people: Vec<(usize, String)> = Vec::new();
        let mut added_households: Vec<String> = Vec::new();
        for (f, fork_edits) in edits.iter().enumerate() {
            for e in fork_edits {
                let book = &mut forks[f];
                match e {
                    Edit::Set { household, field, value } => {
                        book.edit_household(&ids[*household], |h| set(h, *field, *value)).unwrap();
                        let h = book.household(&ids[*household]).unwrap().unwrap();
                        written[f].insert((*household, *field), get(&h, *field));
                    }
                    Edit::AddPerson { household, name } => {
                        let nama = format!("Orang {f}-{name}");
                        book.edit_household(&ids[*household], |h| {
                            h.anggota.insert(rukun_model::new_id(), Person { nama: nama.clone(), ..Default::default() });
                        }).unwrap();
                        added_people.push((*household, nama));
                    }
                    Edit::AddHousehold { name } => {
                        let id = book.add_household(Household {
                            kepala_keluarga: format!("Baru {f}-{name}"),
                            ..Default::default()
                        }).unwrap();
                        added_households.push(id);
                    }
                }
                book.commit("edit").unwrap();
            }
        }
        let orders = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
        let mut results = Vec::new();
        for order in orders {
            let mut m = base.replica_for(Device::from_seed(99));
            for f in order {
                m.merge(&mut forks[f]).unwrap();
            }
            results.push(snapshot(&m));
        }
        for r in &results[1..] {
            prop_assert_eq!(r, &results[0]);
        }
        let merged = &results[0];
        // An edit not concurrently overwritten by another fork survives.
        for (f, w) in written.iter().enumerate() {
            for ((hh, field), value) in w {
                let others_wrote = written.iter().enumerate().any(|(g, o)| g != f && o.contains_key(&(*hh, *field)));
                if !others_wrote {
                    prop_assert_eq!(&get(&merged[&ids[*hh]], *field), value);
                }
            }
        }
        for (hh, nama) in &added_people {
            prop_assert!(merged[&ids[*hh]].anggota.values().any(|p| &p.nama == nama), "person {} lost", nama);
        }
        for id in &added_households {
            prop_assert!(merged.contains_key(id), "household {} lost", id);
        }
    }
}
