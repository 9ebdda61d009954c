-- sluice demo: SOURCE — the shop database as it should be (version 2).
-- Drift from TARGET (target.sql), of every kind sluice diffs:
--   customers: name renamed to full_name, phone added, email made NOT NULL (stricter)
--   products:  legacy_code dropped, price retyped REAL -> NUMERIC(10,2), a CHECK added
--   order_lines: quantity retyped INTEGER -> SMALLINT, CHECK (quantity > 0) added
--   orders: new index on (customer_id, placed_at)
--   reviews: a new table
--   order_totals: the view changed (counts lines too)
--   customers_touch: the trigger now fires only when a tracked column changes
--   rows: inserted, deleted, conflicting updates, NULLs and unicode
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
    price       NUMERIC(10,2) NOT NULL CHECK (price >= 0),
    created_at  DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE customers (
    id         INTEGER PRIMARY KEY,
    email      VARCHAR(200) NOT NULL,
    full_name  VARCHAR(100) NOT NULL,
    country    CHAR(2),
    phone      VARCHAR(30),
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
    quantity   SMALLINT NOT NULL CHECK (quantity > 0),
    unit_price REAL NOT NULL,
    PRIMARY KEY (order_id, line_no)
);

CREATE TABLE reviews (
    id          INTEGER PRIMARY KEY,
    product_id  INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    customer_id INTEGER REFERENCES customers (id) ON DELETE SET NULL,
    rating      INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    body        TEXT,
    created_at  DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE INDEX idx_orders_customer ON orders (customer_id);
CREATE INDEX idx_orders_customer_placed ON orders (customer_id, placed_at DESC);
CREATE INDEX idx_products_category ON products (category_id);
CREATE INDEX idx_reviews_product ON reviews (product_id) WHERE rating >= 4;

CREATE VIEW order_totals AS
SELECT o.id AS order_id, o.customer_id, COUNT(*) AS lines, SUM(l.quantity * l.unit_price) AS total
FROM orders o JOIN order_lines l ON l.order_id = o.id
GROUP BY o.id, o.customer_id;

CREATE TRIGGER customers_touch AFTER UPDATE OF email, full_name, country, phone ON customers
BEGIN
    UPDATE customers SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id;
END;

INSERT INTO categories (id, name, parent_id) VALUES
    (1, 'Books', NULL), (2, 'Music', NULL), (3, 'Vinyl', 2), (4, 'Garden', NULL), (5, 'E-Books', 1);

INSERT INTO products (id, sku, name, category_id, price, created_at) VALUES
    (1, 'BK-001', 'The Pragmatic Programmer', 1, 42.00, '2026-01-05 10:00:00'),
    (2, 'BK-002', 'Designing Data-Intensive Applications', 1, 45.50, '2026-01-05 10:00:00'),
    (3, 'MU-001', 'Kind of Blue (LP)', 3, 24.00, '2026-01-06 09:30:00'),
    (4, 'MU-002', 'Björk — Homogénic', 2, 18.75, '2026-01-06 09:30:00'),
    (6, 'EB-001', '数据密集型应用系统设计', 5, 9.99, '2026-04-01 08:00:00');

INSERT INTO customers (id, email, full_name, country, phone, created_at, updated_at) VALUES
    (1, 'ada@example.org', 'Ada Lovelace', 'GB', '+44 20 7946 0000', '2026-02-01 12:00:00', NULL),
    (2, 'linus@example.org', 'Linus Torvalds', 'FI', NULL, '2026-02-02 12:00:00', NULL),
    (3, 'grace@example.org', 'Grace Hopper', 'US', NULL, '2026-02-03 12:00:00', '2026-04-02 09:00:00'),
    (4, 'zoe@example.org', 'Zoë Ålander', 'SE', NULL, '2026-02-04 12:00:00', NULL),
    (6, 'ren@example.org', 'Ren Tanaka (田中 蓮)', 'JP', '+81 3-0000-0000', '2026-04-03 12:00:00', NULL);

INSERT INTO orders (id, customer_id, status, placed_at, note) VALUES
    (1, 1, 'shipped', '2026-03-01 09:00:00', NULL),
    (2, 2, 'shipped', '2026-03-02 10:00:00', 'leave at the door'),
    (3, 4, 'paid', '2026-03-03 11:00:00', NULL),
    (5, 6, 'new', '2026-04-04 15:30:00', '🎁 gift wrap');

INSERT INTO order_lines (order_id, line_no, product_id, quantity, unit_price) VALUES
    (1, 1, 1, 1, 39.9), (1, 2, 3, 2, 24.0),
    (2, 1, 2, 2, 45.5),
    (3, 1, 4, 3, 18.75),
    (5, 1, 6, 1, 9.99);

INSERT INTO reviews (id, product_id, customer_id, rating, body, created_at) VALUES
    (1, 1, 1, 5, 'Still the best book on the craft.', '2026-03-10 08:00:00'),
    (2, 4, 4, 4, 'Fantastiskt album!', '2026-03-11 08:00:00'),
    (3, 6, NULL, 3, NULL, '2026-04-05 08:00:00');
