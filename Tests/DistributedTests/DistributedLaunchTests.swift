import Distributed
import Testing

@Suite struct DistributedLaunchTests {
    @Test func launcherIsRecognisedFromItsEnvironment() {
        #expect(!DistributedLaunch.launchedByMPI([:]))
        #expect(!DistributedLaunch.launchedByMPI(["PATH": "/usr/bin", "SLURM_PROCID": "0"]))
        #expect(DistributedLaunch.launchedByMPI(["OMPI_COMM_WORLD_SIZE": "2"]))
        #expect(DistributedLaunch.launchedByMPI(["PMIX_RANK": "0"]))
        #expect(DistributedLaunch.launchedByMPI(["PMI_SIZE": "4"]))
        #expect(!DistributedLaunch.launchedByMPI(["OMPI_COMM_WORLD_SIZE": "2", "MTLA_DISTRIBUTED": "off"]))
    }

    @Test func collectiveTimeoutIsReadAndChecked() throws {
        #expect(try DistributedLaunch.timeout([:]) == DistributedLaunch.defaultTimeout)
        #expect(try DistributedLaunch.timeout(["MTLA_COLLECTIVE_TIMEOUT": "12.5"]) == 12.5)
        for bad in ["0", "-3", "soon"] {
            #expect(throws: DistributedError.invalidSetting(name: "MTLA_COLLECTIVE_TIMEOUT", value: bad,
                                                            expected: "a positive number of seconds")) {
                try DistributedLaunch.timeout(["MTLA_COLLECTIVE_TIMEOUT": bad])
            }
        }
    }

    @Test func singleProcessCollectivesKeepTheData() throws {
        let c = try DistributedLaunch.communicator(environment: [:])
        #expect(c.rank == 0 && c.size == 1 && c.isMain)
        #expect(try c.allReduceSum([1.5, -2, 3], operation: "test") == [1.5, -2, 3])
        #expect(try c.broadcast([1, 2, 3], root: 0, operation: "test") == [1, 2, 3])
        #expect(try c.allGather(["a", "b"], operation: "test") == [["a", "b"]])
        var floats: [Float] = [1, 2]
        try floats.withUnsafeMutableBufferPointer { try c.allReduceSum(buckets: [$0], operation: "test") }
        #expect(floats == [1, 2])
    }
}
