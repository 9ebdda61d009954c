mod support;

#[test]
fn postgres_server_starts_and_gives_fresh_databases() {
    let a = support::pg_db();
    let b = support::pg_db();
    assert_ne!(a.name, b.name);
    a.exec("CREATE TABLE t (id int)");
    assert_eq!(
        a.query("SELECT count(*) FROM pg_tables WHERE tablename = 't'"),
        "1"
    );
    assert_eq!(
        b.query("SELECT count(*) FROM pg_tables WHERE tablename = 't'"),
        "0"
    );
}

#[test]
fn mariadb_server_starts_and_gives_fresh_databases() {
    let a = support::mysql_db();
    let b = support::mysql_db();
    a.exec("CREATE TABLE t (id int)");
    assert_eq!(
        a.query("SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE()"),
        "1"
    );
    assert_eq!(
        b.query("SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE()"),
        "0"
    );
    assert!(a.query("SELECT VERSION()").contains("MariaDB"));
}

#[test]
fn sqlite_files_are_fresh() {
    let a = support::sqlite_db();
    a.exec("CREATE TABLE t (id int)");
    assert_eq!(a.query("SELECT count(*) FROM sqlite_schema"), "1");
}
