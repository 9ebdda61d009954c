-- sluice demo: TARGET — the shop database as it runs today (version 1).
-- `sluice demo` builds this into a fresh SQLite file; SOURCE (source.sql) is where it should go.
PRAGMA foreign_keys = ON;

CREATE TABLE categories (
    id        INTEGER PRIMARY KEY,
    name      VARCHAR(60) NOT NULL UNIQUE,
    parent_id INTEGER REFERENCES categories (id)
);

CREATE TABLE products (
    id          INTEGER PRIMARY KEY,
    sku         VARCHAR(32) NOT NULL UNIQUE,
    name        VARCHAR(120) NOT NULL,
    category_id INTEGER NOT NULL REFERENCES categories (id),
    price       REAL NOT NULL,
    legacy_code VARCHAR(20),
    created_at  DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE customers (
    id         INTEGER PRIMARY KEY,
    email      VARCHAR(200),
    name       VARCHAR(100) NOT NULL,
    country    CHAR(2),
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME
);

CREATE TABLE orders (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    status      VARCHAR(20) NOT NULL DEFAULT 'new',
    placed_at   DATETIME NOT NULL,
    note        TEXT
);

CREATE TABLE order_lines (
    order_id   INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    line_no    INTEGER NOT NULL,
    product_id INTEGER NOT NULL REFERENCES products (id),
    quantity   INTEGER NOT NULL,
    unit_price REAL NOT NULL,
    PRIMARY KEY (order_id, line_no)
);

CREATE INDEX idx_orders_customer ON orders (customer_id);
CREATE INDEX idx_products_category ON products (category_id);

CREATE VIEW order_totals AS
SELECT o.id AS order_id, o.customer_id, SUM(l.quantity * l.unit_price) AS total
FROM orders o JOIN order_lines l ON l.order_id = o.id
GROUP BY o.id, o.customer_id;

CREATE TRIGGER customers_touch AFTER UPDATE ON customers
BEGIN
    UPDATE customers SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id;
END;

INSERT INTO categories (id, name, parent_id) VALUES
    (1, 'Books', NULL), (2, 'Music', NULL), (3, 'Vinyl', 2), (4, 'Garden', NULL);

INSERT INTO products (id, sku, name, category_id, price, legacy_code, created_at) VALUES
    (1, 'BK-001', 'The Pragmatic Programmer', 1, 39.9, 'PP-1', '2026-01-05 10:00:00'),
    (2, 'BK-002', 'Designing Data-Intensive Applications', 1, 45.5, NULL, '2026-01-05 10:00:00'),
    (3, 'MU-001', 'Kind of Blue (LP)', 3, 24.0, 'KOB', '2026-01-06 09:30:00'),
    (4, 'MU-002', 'Björk — Homogenic', 2, 18.75, NULL, '2026-01-06 09:30:00'),
    (5, 'GD-001', 'Watering can', 4, 12.0, 'WC-OLD', '2026-01-07 08:00:00');

INSERT INTO customers (id, email, name, country, created_at, updated_at) VALUES
    (1, 'ada@example.org', 'Ada Lovelace', 'GB', '2026-02-01 12:00:00', NULL),
    (2, 'linus@example.org', 'Linus Torvalds', 'FI', '2026-02-02 12:00:00', NULL),
    (3, NULL, 'Grace Hopper', 'US', '2026-02-03 12:00:00', NULL),
    (4, 'zoe@example.org', 'Zoë Ålander', 'SE', '2026-02-04 12:00:00', NULL),
    (5, 'old@example.org', 'Departed Customer', 'DE', '2026-02-05 12:00:00', NULL);

INSERT INTO orders (id, customer_id, status, placed_at, note) VALUES
    (1, 1, 'shipped', '2026-03-01 09:00:00', NULL),
    (2, 2, 'new', '2026-03-02 10:00:00', 'leave at the door'),
    (3, 4, 'paid', '2026-03-03 11:00:00', 'Geschenk — bitte einpacken'),
    (4, 5, 'cancelled', '2026-03-04 12:00:00', NULL);

INSERT INTO order_lines (order_id, line_no, product_id, quantity, unit_price) VALUES
    (1, 1, 1, 1, 39.9), (1, 2, 3, 2, 24.0),
    (2, 1, 2, 1, 45.5),
    (3, 1, 4, 3, 18.75),
    (4, 1, 5, 1, 12.0);
