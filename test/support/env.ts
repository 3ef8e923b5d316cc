// Tests never read the developer's .env: every setting comes from test/support/app.ts.
process.env.NODE_ENV = "test";
