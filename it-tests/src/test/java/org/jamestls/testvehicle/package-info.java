/**
 * TEST VEHICLE, never for production: mailets that inject faults into the integration tests' real James. They are
 * packed into their own jar (target/james-runtime/test-vehicle-jars) that only ITs asking for it
 * ({@code JamesConfig.withTestVehicle()}) put into James's extensions-jars/.
 */
package org.jamestls.testvehicle;
