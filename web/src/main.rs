fn main() {
    aurora_web::start();
}
